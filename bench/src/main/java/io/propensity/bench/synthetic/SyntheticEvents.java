package io.propensity.bench.synthetic;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Command line of the synthetic event generator: {@code calibrate} computes the profile from real
 * files, {@code generate} writes synthetic events as JSON lines. See {@code bench/SYNTHETIC.md}.
 */
@Command(
        name = "SyntheticEvents",
        mixinStandardHelpOptions = true,
        description = "Synthetic shopper events calibrated on real logs (for benchmarks only).",
        subcommands = {CalibrateCommand.class, GenerateCommand.class})
public final class SyntheticEvents implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SyntheticEvents()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing a command: calibrate or generate");
    }
}
