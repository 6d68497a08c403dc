package io.propensity.deploy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every shell script of deploy/ (any {@code *.sh} and any file with a bash shebang, outside the
 * work and build folders) passes shellcheck with the settings of deploy/.shellcheckrc. Skipped,
 * saying so, only where shellcheck is not installed; .ci/run installs it first.
 */
class ShellcheckTest {

    private static final Path DEPLOY = DeployPaths.repository().resolve("deploy");

    private static final boolean INSTALLED = installed();

    /** Per test, so that each one shows as skipped, with the reason, in the test report. */
    @BeforeEach
    void requireShellcheck() {
        assumeTrue(
                INSTALLED,
                "shellcheck is not installed, so deploy/'s scripts are NOT linted: install it"
                        + " (apt-get install shellcheck, brew install shellcheck); .ci/run does");
    }

    @Test
    void shouldFindNothingToReportInAnyScriptOfDeploy() throws IOException, InterruptedException {
        List<Path> scripts = scripts();
        assertThat(scripts)
                .as("scripts found under %s", DEPLOY)
                .contains(
                        DEPLOY.resolve("quickstart.sh"),
                        DEPLOY.resolve("bin/lib.sh"),
                        DEPLOY.resolve("bin/flink.sh"),
                        DEPLOY.resolve("k8s/render.sh"));

        ShellcheckRun run = shellcheck(scripts);

        assertThat(run.output()).as("shellcheck findings in %s", scripts).isEmpty();
        assertThat(run.exitCode()).as("shellcheck's exit code").isZero();
    }

    @Test
    void shouldReportAnUnquotedVariableSoThatACleanRunMeansSomething(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path sloppy = dir.resolve("sloppy.sh");
        Files.writeString(sloppy, "#!/usr/bin/env bash\nset -euo pipefail\nrm -f $1\n");

        ShellcheckRun run = shellcheck(List.of(sloppy));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("SC2086");
    }

    private static boolean installed() {
        try {
            Process version = new ProcessBuilder("shellcheck", "--version").start();
            return version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record ShellcheckRun(int exitCode, String output) {}

    /** Runs shellcheck as a developer would, gcc-style output (one line per finding). */
    private static ShellcheckRun shellcheck(List<Path> scripts)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("shellcheck", "--format=gcc"));
        scripts.forEach(script -> command.add(script.toString()));
        Path output = Files.createTempFile("shellcheck-", ".out");
        try {
            Process process =
                    new ProcessBuilder(command)
                            .directory(DEPLOY.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("shellcheck did not finish within 60 s: " + command);
            }
            return new ShellcheckRun(
                    process.exitValue(), Files.readString(output, StandardCharsets.UTF_8).trim());
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The scripts, not looking into the work folder (services write there while they run). */
    private static List<Path> scripts() throws IOException {
        Set<Path> skipped = Set.of(DEPLOY.resolve(".work"), DEPLOY.resolve("target"));
        List<Path> scripts = new ArrayList<>();
        Files.walkFileTree(
                DEPLOY,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(
                            Path dir, BasicFileAttributes attributes) {
                        return skipped.contains(dir)
                                ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        if (attributes.isRegularFile()
                                && (file.toString().endsWith(".sh") || hasBashShebang(file))) {
                            scripts.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
        scripts.sort(null);
        return scripts;
    }

    private static boolean hasBashShebang(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            return first != null && first.startsWith("#!") && first.contains("bash");
        } catch (IOException e) {
            return false; // not text: not a script
        }
    }
}
