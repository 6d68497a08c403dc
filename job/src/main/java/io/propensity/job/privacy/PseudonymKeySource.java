package io.propensity.job.privacy;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the pseudonym key is read from: an environment variable ({@code --pseudonym-key-env},
 * default {@code PROPENSITY_PSEUDONYM_KEY}) or a file ({@code --pseudonym-key-file}). Only the
 * <em>name</em> travels with the job graph; the key itself is read where it is used (at submission
 * to fail fast, and again in every TaskManager), so it is never on the command line, in the job
 * graph, in a checkpoint or in a log line.
 *
 * <p>The key is the variable's value, or the file's content without trailing line ends, as UTF-8
 * bytes; it must be at least {@link #MIN_KEY_BYTES} bytes (the HMAC-SHA-256 output size).
 *
 * @param environmentVariable the variable's name, or {@code null} when a file is used
 * @param file the file's path, or {@code null} when a variable is used
 */
public record PseudonymKeySource(String environmentVariable, String file) implements Serializable {

    /** Shortest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    public PseudonymKeySource {
        if ((environmentVariable == null) == (file == null)) {
            throw new IllegalArgumentException("exactly one of environment variable and file");
        }
    }

    /** Reads the key from the process environment or the file. */
    public byte[] read() {
        return read(System::getenv);
    }

    /**
     * Reads the key, looking environment variables up with {@code environment}.
     *
     * @throws IllegalStateException naming the variable or file (never the key) when the key is
     *     missing or too short
     */
    byte[] read(Function<String, String> environment) {
        byte[] key;
        if (environmentVariable != null) {
            String value = environment.apply(environmentVariable);
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException(
                        "pseudonymising user ids needs a key: environment variable "
                                + environmentVariable
                                + " is not set (on every TaskManager, and where the job is"
                                + " submitted)");
            }
            key = value.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                key = Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                throw new IllegalStateException(
                        "pseudonymising user ids needs a key: cannot read key file "
                                + file
                                + ": "
                                + e.getClass().getSimpleName(),
                        e);
            }
            int end = key.length;
            while (end > 0 && (key[end - 1] == '\n' || key[end - 1] == '\r')) {
                end--;
            }
            key = Arrays.copyOf(key, end);
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalStateException(
                    "the pseudonym key from "
                            + describe()
                            + " has "
                            + key.length
                            + " bytes; at least "
                            + MIN_KEY_BYTES
                            + " are needed (for example `openssl rand -hex 32`)");
        }
        return key;
    }

    /** Where the key comes from, for messages: never the key. */
    public String describe() {
        return environmentVariable != null
                ? "environment variable " + environmentVariable
                : "file " + file;
    }

    /** For tests: a source that reads {@code variable} from {@code environment}. */
    static byte[] readFrom(String variable, Map<String, String> environment) {
        return new PseudonymKeySource(variable, null).read(environment::get);
    }
}
