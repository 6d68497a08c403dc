package io.propensity.bench.synthetic;

import io.propensity.features.Durations;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code SyntheticEvents calibrate}: computes the synthetic profile from real event files. */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = "Compute the synthetic profile (JSON) from real event files.")
final class CalibrateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--behaviour",
            required = true,
            paramLabel = "FORMAT:PATH",
            description =
                    "File with complete per-user histories (repeatable), e.g. taobao:data/x.csv.gz")
    List<String> behaviour;

    @Option(
            names = "--catalogue",
            required = true,
            paramLabel = "FORMAT:PATH",
            description =
                    "File with products, categories and prices (repeatable), e.g."
                            + " rees46:data/y.csv.gz")
    List<String> catalogue;

    @Option(
            names = "--window",
            paramLabel = "START/END",
            description =
                    "Keep only behaviour events in [START, END), ISO-8601 instants with offset,"
                            + " e.g. 2017-11-25T00:00:00+08:00/2017-12-04T00:00:00+08:00")
    String window;

    @Option(
            names = "--session-gap",
            defaultValue = "30m",
            description = "Gap that starts a new session (default: ${DEFAULT-VALUE})")
    String sessionGap;

    @Option(
            names = "--output",
            required = true,
            description =
                    "Profile file to write, e.g. bench/src/main/resources/synthetic-profile.json")
    Path output;

    @Override
    public Integer call() throws Exception {
        Instant windowStart = null;
        Instant windowEnd = null;
        if (window != null) {
            String[] bounds = window.split("/", -1);
            if (bounds.length != 2) {
                throw new ParameterException(
                        spec.commandLine(), "--window must be START/END, was '" + window + "'");
            }
            windowStart = instant(bounds[0]);
            windowEnd = instant(bounds[1]);
        }
        Duration gap = Durations.parse(sessionGap);
        SyntheticProfile profile =
                Calibration.calibrate(
                        behaviour.stream().map(Calibration.Input::parse).toList(),
                        catalogue.stream().map(Calibration.Input::parse).toList(),
                        gap,
                        windowStart,
                        windowEnd);
        profile.write(output);
        spec.commandLine()
                .getErr()
                .printf(
                        "wrote %s: %d users, %d events, %d sessions; %d products%n",
                        output,
                        profile.behaviour().users(),
                        profile.behaviour().events(),
                        profile.behaviour().sessions(),
                        profile.catalogue().products());
        return 0;
    }

    private Instant instant(String text) {
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "'"
                            + text
                            + "' is not an ISO-8601 instant with offset"
                            + " (for example 2017-11-25T00:00:00+08:00)");
        }
    }
}
