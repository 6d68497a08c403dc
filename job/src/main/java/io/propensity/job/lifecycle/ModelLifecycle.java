package io.propensity.job.lifecycle;

import io.propensity.job.ControlWatermarks;
import io.propensity.scoring.ScorerKind;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The wiring of the model lifecycle into the job: the models control topic (or the watched models
 * directory), its resolver, the broadcast of deployments to the per-user function, the broadcast
 * state that keeps the active model set, and the scores and shadow-scores outputs.
 *
 * <p>Operators (name and uid): {@code models-source} (the control topic) or {@code
 * models-dir-source} (the directory), then {@code resolve-models} (parallelism 1); without either,
 * {@code no-model-commands}; the sinks {@code scores-sink} and {@code shadow-scores-sink}. The two
 * sources have different uids because their checkpointed states differ (offsets, file names).
 */
public final class ModelLifecycle {

    /**
     * The broadcast state of the per-user function: slot key ({@code purchase-intent/champion},
     * ...) to the JSON of the {@link ModelDeployment} in that slot. Empty until the first change:
     * the models of the command line serve until then.
     */
    public static final MapStateDescriptor<String, String> ACTIVE_MODELS =
            new MapStateDescriptor<>("active-models", Types.STRING, Types.STRING);

    /** Every served score (champion, or A/B challenger), for {@code --scores-topic}. */
    public static final OutputTag<ScoreRecord> SCORES =
            new OutputTag<>("scores", TypeInformation.of(ScoreRecord.class));

    /** Every shadow challenger's score, for {@code --shadow-topic}. */
    public static final OutputTag<ScoreRecord> SHADOW_SCORES =
            new OutputTag<>("shadow-scores", TypeInformation.of(ScoreRecord.class));

    private ModelLifecycle() {}

    /**
     * The model deployments, broadcast to every instance of the per-user function (as the second
     * input of {@link ModelAwareKeyedOperator}).
     *
     * @param control the control topic's source ({@link #controlSource}), the models directory's
     *     ({@link ModelDirectory#source}), or {@code null} for none: then an empty stream derived
     *     from {@code events}, which carries exactly the events' watermarks, so event time behaves
     *     as with one input
     * @param events the stream the per-user function reads
     */
    public static <T> DataStream<ModelDeployment> deployments(
            StreamExecutionEnvironment env,
            Source<ModelControlMessage, ?, ?> control,
            DataStream<T> events,
            ScorerKind kind) {
        DataStream<ModelDeployment> deployments;
        if (control == null) {
            deployments =
                    events.flatMap(new NoCommands<T>())
                            .returns(TypeInformation.of(ModelDeployment.class))
                            .name("no-model-commands")
                            .uid("no-model-commands");
        } else {
            // either source goes through the same resolver; both are idle for event time
            String source = control instanceof FileSource ? "models-dir-source" : "models-source";
            deployments =
                    env.fromSource(control, ControlWatermarks.alwaysIdle(), source)
                            .uid(source)
                            .setParallelism(1)
                            .process(new ModelCommandResolver(kind))
                            .returns(TypeInformation.of(ModelDeployment.class))
                            .name("resolve-models")
                            .uid("resolve-models")
                            .setParallelism(1);
        }
        return deployments.broadcast();
    }

    /**
     * The control topic's source: from the earliest offset on a fresh start (so the latest command
     * of each slot wins again), from the checkpoint after a restore.
     */
    public static KafkaSource<ModelControlMessage> controlSource(
            String bootstrapServers, String topic, String groupId, Properties kafka) {
        return KafkaSource.<ModelControlMessage>builder()
                .setProperties(copy(kafka))
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelControlMessage.Deserializer())
                .build();
    }

    /**
     * A sink of score records, keyed {@code <user_id>/<type>}.
     *
     * @param name for exactly-once transactional ids: {@code <group-id>-<name>}
     */
    public static KafkaSink<ScoreRecord> scoreSink(
            String bootstrapServers,
            String topic,
            String groupId,
            String name,
            DeliveryGuarantee delivery,
            Properties kafka,
            String transactionTimeoutMs) {
        KafkaSinkBuilder<ScoreRecord> builder =
                KafkaSink.<ScoreRecord>builder()
                        .setKafkaProducerConfig(copy(kafka))
                        .setBootstrapServers(bootstrapServers)
                        .setRecordSerializer(new ScoreSerializer(topic))
                        .setDeliveryGuarantee(delivery);
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(groupId + "-" + name);
            if (!kafka.containsKey("transaction.timeout.ms")) {
                builder.setProperty("transaction.timeout.ms", transactionTimeoutMs);
            }
        }
        return builder.build();
    }

    /** The deployments kept in a restored broadcast state, champions first. */
    public static List<ModelDeployment> restored(OperatorStateStore store) throws Exception {
        List<ModelDeployment> champions = new ArrayList<>();
        List<ModelDeployment> challengers = new ArrayList<>();
        for (Map.Entry<String, String> entry : store.getBroadcastState(ACTIVE_MODELS).entries()) {
            ModelDeployment deployment = ModelDeployment.fromJson(entry.getValue());
            (deployment.arm() == Arm.CHAMPION ? champions : challengers).add(deployment);
        }
        champions.addAll(challengers);
        return champions;
    }

    /** Records a deployment in the broadcast state (a retirement empties the slot). */
    public static void record(BroadcastState<String, String> state, ModelDeployment deployment)
            throws Exception {
        if (deployment.retire()) {
            state.remove(deployment.slotKey());
        } else {
            state.put(deployment.slotKey(), deployment.toJson());
        }
    }

    private static Properties copy(Properties properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** Emits nothing: the model stream of a job without a control topic. */
    private static final class NoCommands<T> implements FlatMapFunction<T, ModelDeployment> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(T value, Collector<ModelDeployment> out) {}
    }

    /** Writes score records as JSON, keyed {@code <user_id>/<type>}. */
    static final class ScoreSerializer implements KafkaRecordSerializationSchema<ScoreRecord> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        ScoreSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                ScoreRecord record, KafkaSinkContext context, Long timestamp) {
            // no timestamp: the producer's clock, as for alerts. The element's timestamp is the
            // event time, which in a replay of history lies beyond the topic's retention.ms, so
            // the broker deleted those records at its next retention check
            return new ProducerRecord<>(topic, record.kafkaKey(), record.toJson());
        }
    }
}
