package io.propensity.job.privacy;

import java.io.Serializable;

/**
 * The job's privacy settings, shipped with the job graph: the consent default for events without a
 * {@code marketing_consent} flag, and where the pseudonym key is (or {@code null} when outputs keep
 * raw ids). The key itself is never part of this object: {@link #openPseudonymiser} reads it where
 * it runs.
 *
 * @param consentGrantedByDefault how an event without the flag counts ({@code --consent-default})
 * @param pseudonymKey where the pseudonym key is, or {@code null} to keep raw ids in outputs
 */
public record PrivacyRules(boolean consentGrantedByDefault, PseudonymKeySource pseudonymKey)
        implements Serializable {

    /** Consent granted unless an event says otherwise, raw ids in outputs. */
    public static final PrivacyRules DEFAULT = new PrivacyRules(true, null);

    /** Whether outputs carry pseudonyms. */
    public boolean pseudonymises() {
        return pseudonymKey != null;
    }

    /** Reads the key (if any) and opens a pseudonymiser; call once per operator subtask. */
    public Pseudonymiser openPseudonymiser() {
        return pseudonymKey == null
                ? Pseudonymiser.none()
                : Pseudonymiser.hmac(pseudonymKey.read());
    }
}
