package io.propensity.deploy;

import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka connection of a tool: bootstrap servers plus the {@code --kafka.<property>} overrides
 * (security, SASL, TLS), which win over every default the tool sets.
 */
public final class KafkaOptions {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "${env:PROPENSITY_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    private final Map<String, String> overrides = new LinkedHashMap<>();

    void addOverrides(Map<String, String> more) {
        overrides.putAll(more);
    }

    /** The overrides given with {@code --kafka.<property>}, in order. */
    public Map<String, String> overrides() {
        return Collections.unmodifiableMap(overrides);
    }

    /**
     * Client properties: bootstrap servers, then the tool's defaults, then the user's overrides.
     */
    public Properties clientProperties(Map<String, Object> toolDefaults) {
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.putAll(toolDefaults);
        properties.putAll(overrides);
        return properties;
    }
}
