package io.propensity.job;

import io.propensity.job.privacy.PseudonymKeySource;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The privacy keys of the command line. */
class PrivacyOptionsTest {

    @Test
    void shouldDefaultToTheDocumentedTopicsConsentAndRawIds() {
        JobOptions options = JobOptions.parse(new String[0]);

        assertThat(options.erasureTopic).isEqualTo("propensity.erasure-requests");
        assertThat(options.auditTopic).isEqualTo("propensity.audit");
        assertThat(options.privacy.consentGrantedByDefault()).isTrue();
        assertThat(options.privacy.pseudonymises()).isFalse();
    }

    @Test
    void shouldTakeABarePseudonymiseSwitchWithTheDefaultKeyVariable() {
        JobOptions options =
                JobOptions.parse(
                        new String[] {"--pseudonymise-user-ids", "--consent-default", "withdrawn"});

        assertThat(options.privacy.pseudonymKey())
                .isEqualTo(new PseudonymKeySource("PROPENSITY_PSEUDONYM_KEY", null));
        assertThat(options.privacy.consentGrantedByDefault()).isFalse();
    }

    @Test
    void shouldTakeAKeyFileOrAnotherVariableButNotBoth() {
        assertThat(
                        JobOptions.parse(
                                        new String[] {
                                            "--pseudonymise-user-ids",
                                            "true",
                                            "--pseudonym-key-file",
                                            "/etc/propensity/key"
                                        })
                                .privacy
                                .pseudonymKey())
                .isEqualTo(new PseudonymKeySource(null, "/etc/propensity/key"));
        assertThatThrownBy(
                        () ->
                                JobOptions.parse(
                                        new String[] {
                                            "--pseudonymise-user-ids",
                                            "--pseudonym-key-file",
                                            "f",
                                            "--pseudonym-key-env",
                                            "K"
                                        }))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--pseudonym-key-env", "K"}))
                .hasMessageContaining("need --pseudonymise-user-ids");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--consent-default", "maybe"}))
                .hasMessageContaining("--consent-default")
                .hasMessageContaining("granted or withdrawn");
    }
}
