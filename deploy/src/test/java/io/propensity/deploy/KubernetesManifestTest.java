package io.propensity.deploy;

import io.propensity.job.JobOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.base.DeliveryGuarantee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kubernetes manifest cannot run here (no cluster), so this test renders it with
 * deploy/k8s/render.sh and checks it against the real job: entry class and jar name from the job
 * module's shaded jar (or its sources), the job arguments through the job's own {@link
 * JobOptions#parse} (which refuses an unknown option), and every Flink option against Flink's own
 * ConfigOption declarations.
 */
class KubernetesManifestTest {

    private static final Path REPO = DeployPaths.repository();
    private static final Path JOB_SOURCES = REPO.resolve("job/src/main/java");
    private static final String JOB_JAR_NAME = "propensity-job-0.1.0-SNAPSHOT.jar";

    private static JsonNode manifest;
    private static String dockerfile;

    @BeforeAll
    static void render() throws Exception {
        Process render =
                new ProcessBuilder(
                                "bash",
                                REPO.resolve("deploy/k8s/render.sh").toString(),
                                "--image",
                                "registry.example.com/propensity:0.1.0",
                                "--state-uri",
                                "s3://bucket/propensity/",
                                "--bootstrap-servers",
                                "kafka.data:9092",
                                "--parallelism",
                                "6",
                                "--task-slots",
                                "3",
                                "--taskmanager-memory",
                                "8192m",
                                "--taskmanager-cpu",
                                "2.5")
                        .redirectErrorStream(true)
                        .start();
        String yaml = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(render.waitFor()).as("render.sh output:%n%s", yaml).isZero();
        assertThat(yaml).doesNotContainPattern("@[A-Z_]+@");
        manifest = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        dockerfile = Files.readString(REPO.resolve("deploy/k8s/Dockerfile"));
    }

    @Test
    void shouldBeAFlinkDeploymentInApplicationModeForFlink22() {
        assertThat(manifest.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(manifest.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(manifest.at("/spec/flinkVersion").asText()).isEqualTo("v2_2");
        // application mode: the deployment carries the job itself
        assertThat(manifest.at("/spec/job/jarURI").asText()).startsWith("local:///");
        assertThat(manifest.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");
    }

    @Test
    void shouldStartTheJobsRealEntryClass() throws IOException {
        String entryClass = manifest.at("/spec/job/entryClass").asText();

        Path jar = REPO.resolve("job/target").resolve(JOB_JAR_NAME);
        if (Files.exists(jar)) {
            try (JarFile jobJar = new JarFile(jar.toFile())) {
                assertThat(jobJar.getManifest().getMainAttributes().getValue("Main-Class"))
                        .isEqualTo(entryClass);
                assertThat(jobJar.getEntry(entryClass.replace('.', '/') + ".class")).isNotNull();
            }
        } else {
            // before the job is packaged: the class must at least exist with a main method
            Path source = JOB_SOURCES.resolve(entryClass.replace('.', '/') + ".java");
            assertThat(source).exists();
            assertThat(Files.readString(source)).contains("public static void main(String[]");
        }
    }

    @Test
    void shouldRunTheJarThatTheDockerfileCopiesAndTheJobModuleBuilds() {
        String jarUri = manifest.at("/spec/job/jarURI").asText();
        String imagePath = jarUri.substring("local://".length());

        assertThat(imagePath).endsWith("/" + JOB_JAR_NAME);
        assertThat(dockerfile).contains("COPY job/target/" + JOB_JAR_NAME + " " + imagePath);
        assertThat(dockerfile).contains("FROM flink:" + pomProperty("flink.version") + "-java17");
    }

    @Test
    void shouldPassOnlyArgumentsThatTheJobsOwnParserAccepts() {
        String[] args = jobArgs().toArray(String[]::new);

        // throws, naming the key, on an option the job does not declare or a value it refuses
        JobOptions options = JobOptions.parse(args);

        assertThat(options.bootstrapServers).isEqualTo("kafka.data:9092");
        assertThat(options.checkpointDir).isEqualTo("s3://bucket/propensity/checkpoints");
        assertThat(options.delivery).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
    }

    @Test
    void shouldBeCheckedByAParserThatRefusesAnOptionTheJobDoesNotDeclare() {
        List<String> args = jobArgs();
        args.addAll(List.of("--checkpoint-directory", "s3://bucket/elsewhere"));

        assertThatThrownBy(() -> JobOptions.parse(args.toArray(String[]::new)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--checkpoint-directory");
    }

    @Test
    void shouldUseOnlyFlinkOptionsThatFlinkDeclares() throws Exception {
        Set<String> known = flinkOptionKeys();
        Iterator<Map.Entry<String, JsonNode>> options =
                manifest.at("/spec/flinkConfiguration").fields();

        int checked = 0;
        while (options.hasNext()) {
            String key = options.next().getKey();
            if (key.startsWith("metrics.reporter.prom.")) {
                continue; // per-reporter keys are free-form: <prefix>.<name>.<reporter option>
            }
            assertThat(known).as("Flink option %s", key).contains(key);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    @Test
    void shouldKeepRocksDbStateWithIncrementalCheckpointsAndSavepointsOnObjectStorage() {
        JsonNode config = manifest.at("/spec/flinkConfiguration");

        assertThat(config.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(config.path("execution.checkpointing.incremental").asText()).isEqualTo("true");
        assertThat(config.path("execution.checkpointing.dir").asText())
                .isEqualTo("s3://bucket/propensity/checkpoints");
        assertThat(config.path("execution.checkpointing.savepoint-dir").asText())
                .isEqualTo("s3://bucket/propensity/savepoints");
        assertThat(config.path("high-availability.storageDir").asText())
                .isEqualTo("s3://bucket/propensity/ha");
        assertThat(dockerfile).contains("flink-s3-fs-");
    }

    @Test
    void shouldTakeParallelismAndResourcesFromTheParameters() {
        assertThat(manifest.at("/spec/job/parallelism").asInt()).isEqualTo(6);
        assertThat(manifest.at("/spec/flinkConfiguration/taskmanager.numberOfTaskSlots").asText())
                .isEqualTo("3");
        assertThat(manifest.at("/spec/taskManager/resource/memory").asText()).isEqualTo("8192m");
        assertThat(manifest.at("/spec/taskManager/resource/cpu").asDouble()).isEqualTo(2.5);
        assertThat(manifest.at("/spec/image").asText())
                .isEqualTo("registry.example.com/propensity:0.1.0");
        List<String> args = new ArrayList<>();
        manifest.at("/spec/job/args").forEach(arg -> args.add(arg.asText()));
        assertThat(args).containsSequence("--bootstrap-servers", "kafka.data:9092");
    }

    private static List<String> jobArgs() {
        List<String> args = new ArrayList<>();
        manifest.at("/spec/job/args").forEach(arg -> args.add(arg.asText()));
        assertThat(args).as("the manifest's job arguments").isNotEmpty();
        return args;
    }

    /** Keys and fallback keys of every ConfigOption in flink-core's configuration package. */
    private static Set<String> flinkOptionKeys() throws IOException, URISyntaxException {
        Path flinkCore =
                Path.of(
                        ConfigOption.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Set<String> keys = new HashSet<>();
        try (JarFile jar = new JarFile(flinkCore.toFile())) {
            jar.stream()
                    .map(entry -> entry.getName())
                    .filter(
                            name ->
                                    name.matches(
                                            "org/apache/flink/configuration/\\w+Options\\.class"))
                    .forEach(name -> collectKeys(name, keys));
        }
        return keys;
    }

    private static void collectKeys(String classFile, Set<String> keys) {
        String className = classFile.replace('/', '.').replace(".class", "");
        try {
            for (Field field : Class.forName(className).getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && ConfigOption.class.isAssignableFrom(field.getType())) {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    keys.add(option.key());
                    option.fallbackKeys().forEach(fallback -> keys.add(fallback.getKey()));
                }
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // an options class that needs more than flink-core cannot declare our keys
        }
    }

    private static String pomProperty(String name) {
        try {
            String pom = Files.readString(REPO.resolve("pom.xml"));
            Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)<").matcher(pom);
            assertThat(matcher.find()).as("property %s in the root pom", name).isTrue();
            return matcher.group(1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
