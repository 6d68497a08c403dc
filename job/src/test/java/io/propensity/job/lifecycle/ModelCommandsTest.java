package io.propensity.job.lifecycle;

import io.propensity.scoring.ScorerKind;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static io.propensity.job.lifecycle.LifecycleTestModels.PURCHASE_BAD;
import static io.propensity.job.lifecycle.LifecycleTestModels.PURCHASE_V2;
import static io.propensity.job.lifecycle.LifecycleTestModels.card;
import static io.propensity.job.lifecycle.LifecycleTestModels.message;
import static io.propensity.job.lifecycle.LifecycleTestModels.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String deploy(String role, String version, Path pmml) {
        return "{\"role\":\""
                + role
                + "\",\"version\":\""
                + version
                + "\",\"pmml_path\":\""
                + pmml.toAbsolutePath()
                + "\"}";
    }

    private static ModelDeployment resolve(String json) throws RejectedModelException {
        return ModelCommands.resolve(message(json), ScorerKind.COMPILED);
    }

    @Test
    void shouldResolveAChampionFromAPathWithTheCardBesideIt() throws Exception {
        ModelDeployment deployment = resolve(deploy("purchase-intent", "test-2", PURCHASE_V2));

        assertThat(deployment.role()).isEqualTo(ModelRole.PURCHASE_INTENT);
        assertThat(deployment.arm()).isEqualTo(Arm.CHAMPION);
        assertThat(deployment.version()).isEqualTo("test-2");
        assertThat(deployment.pmml()).isEqualTo(text(PURCHASE_V2));
        assertThat(deployment.card()).isEqualTo(card(PURCHASE_V2));
        assertThat(deployment.mode()).isNull();
        assertThat(deployment.requestedAt()).isEqualTo(1_700_000_000_000L);
        assertThat(deployment.slotKey()).isEqualTo("purchase-intent/champion");
    }

    @Test
    void shouldResolveAnInlineAbChallengerAndKeepItThroughJson() throws Exception {
        ObjectNode message = JSON.createObjectNode();
        message.put("role", "purchase_intent");
        message.put("slot", "challenger");
        message.put("mode", "ab");
        message.put("share", 0.25);
        message.put("threshold", 0.95);
        message.put("version", "test-2");
        message.put("pmml_inline", text(PURCHASE_V2));
        message.set("card_inline", JSON.readTree(card(PURCHASE_V2)));

        ModelDeployment deployment = resolve(message.toString());

        assertThat(deployment.arm()).isEqualTo(Arm.CHALLENGER);
        assertThat(deployment.mode()).isEqualTo(ModelDeployment.AB);
        assertThat(deployment.share()).isEqualTo(0.25);
        assertThat(deployment.threshold()).isEqualTo(0.95);
        assertThat(deployment.source()).isEqualTo("inline:propensity.models-0@7");
        assertThat(ModelDeployment.fromJson(deployment.toJson())).isEqualTo(deployment);
    }

    @Test
    void shouldRejectAModelThatBreaksTheContract() {
        assertThatThrownBy(() -> resolve(deploy("purchase-intent", "bad-1", PURCHASE_BAD)))
                .isInstanceOf(RejectedModelException.class)
                .hasMessageContaining("not_a_feature");
    }

    @Test
    void shouldRejectAModelForTheOtherRole() {
        assertThatThrownBy(() -> resolve(deploy("churn-risk", "test-2", PURCHASE_V2)))
                .hasMessageContaining("the churn-risk role needs a 'churn_risk' model");
    }

    @Test
    void shouldRejectAVersionThatIsNotTheCards() {
        assertThatThrownBy(() -> resolve(deploy("purchase-intent", "test-3", PURCHASE_V2)))
                .hasMessageContaining("names version 'test-3' but the model card says 'test-2'");
    }

    @Test
    void shouldRejectAMissingFileNamingIt() {
        assertThatThrownBy(
                        () ->
                                resolve(
                                        deploy(
                                                "purchase-intent",
                                                "test-2",
                                                Path.of("no/such/model.pmml"))))
                .hasMessageContaining("pmml_path")
                .hasMessageContaining("no/such/model.pmml");
    }

    @Test
    void shouldRejectMalformedMessagesNamingTheField() {
        assertThatThrownBy(() -> resolve("not json")).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> resolve("{\"role\":\"purchase-intent\",\"colour\":\"red\"}"))
                .hasMessageContaining("unknown field 'colour'");
        assertThatThrownBy(() -> resolve("{\"role\":\"fraud\",\"version\":\"1\"}"))
                .hasMessageContaining("field 'role'");
        assertThatThrownBy(
                        () ->
                                resolve(
                                        "{\"role\":\"purchase-intent\",\"slot\":\"challenger\","
                                                + "\"mode\":\"ab\",\"version\":\"test-2\"}"))
                .hasMessageContaining("needs a share");
        assertThatThrownBy(() -> resolve("{\"role\":\"churn-risk\",\"action\":\"retire\"}"))
                .hasMessageContaining("challenger only");
        assertThatThrownBy(() -> resolve("")).isInstanceOf(RejectedModelException.class);
    }

    @Test
    void shouldRejectAnInlineModelOverTheLimit() {
        ObjectNode message = JSON.createObjectNode();
        message.put("role", "purchase-intent");
        message.put("version", "test-2");
        message.put("pmml_inline", "x".repeat(ModelCommands.MAX_INLINE_BYTES));
        message.put("card_inline", card(PURCHASE_V2));
        assertThatThrownBy(() -> resolve(message.toString()))
                .hasMessageContaining("over the limit");
    }

    @Test
    void shouldResolveAChallengerRetirement() throws Exception {
        ModelDeployment retire =
                resolve("{\"role\":\"churn-risk\",\"slot\":\"challenger\",\"action\":\"retire\"}");
        assertThat(retire.retire()).isTrue();
        assertThat(retire.slotKey()).isEqualTo("churn-risk/challenger");
    }
}
