package io.propensity.scoring.pmml;

import io.propensity.scoring.ModelLoadException;

import org.dmg.pmml.PMML;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmmlSourceTest {

    static Path resource(String name) {
        try {
            return Path.of(PmmlSourceTest.class.getResource("/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldReadAPlainModelAndKeepLineNumbers() throws ModelLoadException {
        PMML pmml = PmmlSource.read(resource("tiny-purchase.pmml"));

        assertThat(PmmlSource.model(pmml).getModelName()).isEqualTo("tiny-purchase");
        assertThat(PmmlSource.where(PmmlSource.model(pmml))).startsWith("line 19,");
    }

    @Test
    void shouldRefuseExternalEntitiesWithoutReadingThem() {
        Path file = resource("xxe.pmml");

        assertThatThrownBy(() -> PmmlSource.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("DOCTYPE declarations are refused")
                .hasMessageNotContaining("root:");
    }

    @Test
    void shouldRefuseEntityExpansionBombs() {
        Path file = resource("entity-bomb.pmml");

        assertThatThrownBy(() -> PmmlSource.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("DOCTYPE declarations are refused");
    }

    @Test
    void shouldNameTheFileAndLineOfATruncatedDocument() {
        Path file = resource("truncated.pmml");

        assertThatThrownBy(() -> PmmlSource.read(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not well-formed PMML at line");
    }

    @Test
    void shouldRefuseAFileAboveTheSizeLimitBeforeParsingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("huge.pmml");
        Files.write(file, new byte[4096]);

        assertThatThrownBy(() -> PmmlSource.read(file, 1024))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("larger than the limit of 1024 bytes");
    }

    @Test
    void shouldRefuseAStreamThatGrowsBeyondTheSizeLimit() throws IOException {
        byte[] bytes = Files.readAllBytes(resource("tiny-purchase.pmml"));
        InputStream in = new ByteArrayInputStream(bytes);

        assertThatThrownBy(() -> PmmlSource.read(in, "classpath:/big.pmml", bytes.length / 2))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("classpath:/big.pmml")
                .hasMessageContaining("larger than the limit");
    }

    @Test
    void shouldRefuseADocumentThatIsNotPmml() {
        InputStream in =
                new ByteArrayInputStream("<html><body/></html>".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> PmmlSource.read(in, "page.html"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("page.html");
    }
}
