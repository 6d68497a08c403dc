package io.propensity.deploy;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line tools around a running Propensity deployment: {@code replay} an event file to
 * Kafka, print {@code alerts}, create the {@code topics}, and print a {@code summary} of a run.
 *
 * <p>Every subcommand that talks to Kafka accepts {@code --kafka.<property> <value>} (or {@code
 * --kafka.<property>=<value>}), passed to its Kafka clients unchanged, exactly like the job's own
 * option of the same name: security settings, SASL and TLS go there. Exit codes: 0 success, 1
 * failure, 2 bad usage.
 */
@Command(
        name = "propensity",
        mixinStandardHelpOptions = true,
        version = "propensity tools 0.1.0-SNAPSHOT",
        description = "Tools for a Propensity deployment: replay, alerts, topics, summary.",
        subcommands = {
            ReplayCommand.class,
            AlertsCommand.class,
            TopicsCommand.class,
            SummaryCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PropensityCli {

    private static final String KAFKA_PREFIX = "--kafka.";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tools with these arguments and returns the exit code (for tests and main). */
    public static int run(String... args) {
        Map<String, String> kafkaOverrides = new LinkedHashMap<>();
        List<String> remaining;
        try {
            remaining = extractKafkaOverrides(args, kafkaOverrides);
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            return 2;
        }
        CommandLine commandLine = new CommandLine(new PropensityCli());
        commandLine.setExecutionStrategy(
                parseResult -> {
                    for (CommandLine.ParseResult sub = parseResult.subcommand();
                            sub != null;
                            sub = sub.subcommand()) {
                        Object command = sub.commandSpec().userObject();
                        if (command instanceof KafkaClientCommand kafkaCommand) {
                            kafkaCommand.kafka().addOverrides(kafkaOverrides);
                        }
                    }
                    return new CommandLine.RunLast().execute(parseResult);
                });
        return commandLine.execute(remaining.toArray(String[]::new));
    }

    /**
     * Moves every {@code --kafka.<property> <value>} and {@code --kafka.<property>=<value>} pair
     * from the arguments into {@code overrides}, and returns the other arguments in order.
     *
     * @throws IllegalArgumentException if such an option has no value
     */
    static List<String> extractKafkaOverrides(String[] args, Map<String, String> overrides) {
        List<String> remaining = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith(KAFKA_PREFIX) || arg.length() == KAFKA_PREFIX.length()) {
                remaining.add(arg);
                continue;
            }
            String keyAndMaybeValue = arg.substring(KAFKA_PREFIX.length());
            int equals = keyAndMaybeValue.indexOf('=');
            if (equals >= 0) {
                overrides.put(
                        keyAndMaybeValue.substring(0, equals),
                        keyAndMaybeValue.substring(equals + 1));
            } else if (i + 1 < args.length) {
                overrides.put(keyAndMaybeValue, args[++i]);
            } else {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
        }
        return remaining;
    }

    /** A subcommand with Kafka clients; receives the {@code --kafka.*} overrides before it runs. */
    interface KafkaClientCommand {
        KafkaOptions kafka();
    }
}
