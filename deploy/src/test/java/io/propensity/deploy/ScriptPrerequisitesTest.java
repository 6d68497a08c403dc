package io.propensity.deploy;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A script whose command (curl, ps) is missing says so at once, before it builds, downloads or
 * starts anything, instead of waiting out a timeout and blaming the service. Each script runs with
 * a PATH that has every command of this machine's PATH but the missing one, and with a work folder
 * of its own; the job jar and Maven are pointed at nothing, so that a script which skipped the
 * check stops early with another message (and the test fails) rather than starting services.
 */
class ScriptPrerequisitesTest {

    @TempDir Path temp;

    @ParameterizedTest(name = "{1} {2} without {0}")
    @CsvSource({
        "curl, deploy/quickstart.sh, --skip-build",
        "ps,   deploy/quickstart.sh, --skip-build",
        "curl, deploy/bin/flink.sh,  start",
        "curl, deploy/bin/flink.sh,  start-taskmanager",
        "ps,   deploy/bin/kafka.sh,  start",
        "ps,   deploy/bin/stop.sh,   ''"
    })
    void shouldNameTheMissingCommandAtOnce(String missing, String script, String argument)
            throws IOException, InterruptedException {
        Path bin = pathWithout(missing);
        Path work = temp.resolve("work");

        List<String> command = new ArrayList<>(List.of("bash", script));
        if (!argument.isEmpty()) {
            command.add(argument);
        }
        Path output = temp.resolve("output.txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(DeployPaths.repository().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("PATH", bin.toString());
        builder.environment().put("PROPENSITY_WORK_DIR", work.toString());
        builder.environment().put("PROPENSITY_JOB_JAR", temp.resolve("no-job.jar").toString());
        builder.environment().put("PROPENSITY_MVN", "false");
        Process process = builder.start();
        boolean ended = process.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);

        assertThat(ended).as("%s ended within 30 s:%n%s", command, text).isTrue();
        assertThat(process.exitValue()).as(text).isEqualTo(1);
        assertThat(text).as("output of %s", command).contains("ERROR: " + missing + " not found");
        assertThat(text).as("nothing was started").doesNotContain("==>", "starting", "stopping");
        assertThat(work.resolve("flink")).doesNotExist();
        assertThat(work.resolve("kafka")).doesNotExist();
    }

    /** A folder of links to every command on this machine's PATH except {@code missing}. */
    private Path pathWithout(String missing) throws IOException {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        for (String entry : System.getenv("PATH").split(File.pathSeparator)) {
            Path dir = Path.of(entry.isEmpty() ? "." : entry);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> commands = Files.list(dir)) {
                for (Path command : commands.toList()) {
                    Path link = bin.resolve(command.getFileName().toString());
                    if (!command.getFileName().toString().equals(missing)
                            && Files.isExecutable(command)
                            && !Files.isDirectory(command)
                            && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, command.toAbsolutePath());
                    }
                }
            }
        }
        assertThat(bin.resolve("bash")).as("bash on the PATH").exists();
        assertThat(bin.resolve(missing)).doesNotExist();
        return bin;
    }
}
