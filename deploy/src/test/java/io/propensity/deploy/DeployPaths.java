package io.propensity.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is, seen from a test that Maven runs in the deploy module. */
final class DeployPaths {

    private DeployPaths() {}

    static Path repository() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
            if (Files.exists(candidate.resolve("deploy/quickstart.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no repository with deploy/quickstart.sh above " + dir);
    }
}
