package io.propensity.features;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's feature table lists exactly the schema's features, in order, word for word. */
class ReadmeFeatureTableTest {

    @Test
    void shouldListEveryFeatureOfTheSchemaInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("<!-- section:features -->");
        int end = readme.indexOf("<!-- /section:features -->");
        assertThat(start).as("features section start").isNotNegative();
        assertThat(end).as("features section end").isGreaterThan(start);

        // the rows of the table under the "| name | unit | definition |" header
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : readme.substring(start, end).split("\n")) {
            if (line.strip().equals("| name | unit | definition |")) {
                inTable = true;
            } else if (inTable && line.startsWith("| `")) {
                rows.add(line.strip());
            } else if (inTable && !line.startsWith("|---")) {
                inTable = false;
            }
        }
        List<String> expected = new ArrayList<>();
        for (FeatureSchema.Feature feature : FeatureSchema.features()) {
            expected.add(
                    "| `"
                            + feature.name()
                            + "` | "
                            + feature.unit()
                            + " | "
                            + feature.definition()
                            + " |");
        }

        assertThat(rows).containsExactlyElementsOf(expected);
    }
}
