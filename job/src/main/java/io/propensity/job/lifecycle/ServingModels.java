package io.propensity.job.lifecycle;

import io.propensity.scoring.ScorerKind;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The active model set of one parallel instance of the per-user function: per role a champion and
 * at most one challenger (in shadow, or serving an A/B share of the users), and the background
 * loader that prepares new ones.
 *
 * <p>Threads: everything but the loading runs on the task thread. {@link #submit} hands a
 * deployment to a single background thread, which loads, checks and warms the model up (see {@link
 * ServedModel#load}) and puts the result on a queue; {@link #applyLoaded}, called by the task
 * thread before each event and timer, installs what is ready. So a swap happens between two events,
 * all at once for a slot, never while an event is being scored, and the events never wait for a
 * load. Deployments are loaded and installed in the order they arrived. A model that fails to load
 * is logged and counted ({@code modelLoadFailures}); the one in the slot keeps serving.
 *
 * <p>Metrics, per role in the group {@code model.<type>}: {@code modelVersion} (the champion's),
 * {@code challengerVersion}, {@code challengerMode}, {@code abShare}, {@code modelActivatedAt},
 * {@code scorerKind}, {@code threshold}, {@code alerts} and {@code scoringLatencyNanos}; on the
 * operator: {@code modelSwaps} and {@code modelLoadFailures}.
 */
public final class ServingModels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServingModels.class);

    private final ScorerKind kind;
    private final String owner;
    private final Map<ModelRole, Slots> roles = new EnumMap<>(ModelRole.class);
    private final Queue<Loaded> ready = new ConcurrentLinkedQueue<>();
    private final Counter swaps;
    private final Counter loadFailures;
    private ExecutorService loader;

    /**
     * @param champions the models the job starts with, one per role
     * @param metrics the operator's metric group
     * @param histograms makes the scoring-latency histogram of each role
     * @param owner names this instance in logs, e.g. {@code user-activity subtask 1}
     */
    public ServingModels(
            ScorerKind kind,
            Map<ModelRole, ServedModel> champions,
            MetricGroup metrics,
            Supplier<Histogram> histograms,
            String owner) {
        this.kind = kind;
        this.owner = owner;
        for (ModelRole role : ModelRole.values()) {
            ServedModel champion = champions.get(role);
            if (champion == null) {
                throw new IllegalArgumentException("no champion for role " + role.wireName());
            }
            roles.put(
                    role, new Slots(champion, metrics.addGroup("model", role.task()), histograms));
        }
        swaps = metrics.counter("modelSwaps");
        loadFailures = metrics.counter("modelLoadFailures");
    }

    /** Loads a deployment in the background; it serves from the first event after it is ready. */
    public void submit(ModelDeployment deployment) {
        if (loader == null) {
            loader =
                    Executors.newSingleThreadExecutor(
                            task -> {
                                Thread thread = new Thread(task, "model-loader " + owner);
                                thread.setDaemon(true);
                                return thread;
                            });
        }
        loader.execute(() -> ready.add(load(deployment)));
    }

    /**
     * Loads and installs a deployment at once, on the calling thread: for the active set restored
     * from a checkpoint, which must serve from the very first event.
     */
    public void installNow(ModelDeployment deployment) {
        install(load(deployment));
    }

    /**
     * Installs every model the loader has finished, in order. Called between events: one read of an
     * empty queue when nothing is pending.
     *
     * @return whether anything changed
     */
    public boolean applyLoaded() {
        boolean changed = false;
        for (Loaded loaded = ready.poll(); loaded != null; loaded = ready.poll()) {
            changed |= install(loaded);
        }
        return changed;
    }

    /**
     * The model that serves this user for this role: the challenger if it runs A/B and the user's
     * stable position falls in its share, else the champion.
     */
    public ServedModel served(ModelRole role, String userId) {
        Slots slots = roles.get(role);
        ServedModel challenger = slots.challenger;
        if (challenger != null
                && !challenger.isShadow()
                && AbSplit.inChallenger(role, userId, challenger.share())) {
            return challenger;
        }
        return slots.champion;
    }

    /** The role's challenger if it runs in shadow, else {@code null}. */
    public ServedModel shadow(ModelRole role) {
        ServedModel challenger = roles.get(role).challenger;
        return challenger != null && challenger.isShadow() ? challenger : null;
    }

    /** The role's champion. */
    public ServedModel champion(ModelRole role) {
        return roles.get(role).champion;
    }

    /** The role's challenger, or {@code null}. */
    public ServedModel challenger(ModelRole role) {
        return roles.get(role).challenger;
    }

    /** Scores with a served model, timing the call into the role's latency histogram. */
    public double score(ServedModel model, double[] features) {
        long start = System.nanoTime();
        double score = model.score(features);
        roles.get(model.role()).latency.update(System.nanoTime() - start);
        return score;
    }

    /** The role's alert counter ({@code model.<type>.alerts}). */
    public Counter alerts(ModelRole role) {
        return roles.get(role).alerts;
    }

    /** Stops the loader; a load in progress is abandoned. */
    @Override
    public void close() {
        if (loader != null) {
            loader.shutdownNow();
        }
    }

    private Loaded load(ModelDeployment deployment) {
        if (deployment.retire()) {
            return new Loaded(deployment, null, null);
        }
        long start = System.nanoTime();
        try {
            ServedModel model = ServedModel.load(deployment, kind);
            LOG.info(
                    "{}: loaded {} in {} ms ({} scorer), serving from the next event",
                    owner,
                    deployment.describe(),
                    (System.nanoTime() - start) / 1_000_000,
                    model.info().kind());
            return new Loaded(deployment, model, null);
        } catch (Exception | LinkageError e) {
            return new Loaded(
                    deployment, null, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private boolean install(Loaded loaded) {
        ModelDeployment deployment = loaded.deployment;
        Slots slots = roles.get(deployment.role());
        if (loaded.failure != null) {
            loadFailures.inc();
            LOG.error(
                    "{}: cannot load {}; the {} in use keeps serving: {}",
                    owner,
                    deployment.describe(),
                    deployment.arm().wireName(),
                    loaded.failure);
            return false;
        }
        swaps.inc();
        ServedModel previous = deployment.arm() == Arm.CHAMPION ? slots.champion : slots.challenger;
        if (deployment.retire()) {
            slots.challenger = null;
        } else if (deployment.arm() == Arm.CHAMPION) {
            slots.serve(loaded.model);
        } else {
            slots.challenger = loaded.model;
        }
        slots.activatedAt = System.currentTimeMillis();
        LOG.info(
                "{}: {} {} is now {} (was {})",
                owner,
                deployment.role().wireName(),
                deployment.arm().wireName(),
                loaded.model == null ? "empty" : loaded.model.version(),
                previous == null ? "empty" : previous.version());
        return true;
    }

    /** A finished load: the model, or the reason it failed; both null for a retirement. */
    private record Loaded(ModelDeployment deployment, ServedModel model, String failure) {}

    /** One role's slots and metrics; the slots are read by the metric reporter's thread too. */
    private static final class Slots {
        volatile ServedModel champion;
        volatile ServedModel challenger;
        volatile long activatedAt;
        final Counter alerts;
        final Histogram latency;
        private final MetricGroup group;
        private final Set<String> versionGauges = new HashSet<>();

        Slots(ServedModel champion, MetricGroup group, Supplier<Histogram> histograms) {
            this.group = group;
            serve(champion);
            this.activatedAt = System.currentTimeMillis();
            alerts = group.counter("alerts");
            latency = group.histogram("scoringLatencyNanos", histograms.get());
            group.gauge("modelVersion", () -> this.champion.version());
            group.gauge("scorerKind", () -> this.champion.info().kind().name());
            group.gauge("threshold", () -> this.champion.threshold());
            group.gauge("modelActivatedAt", () -> activatedAt);
            group.gauge("challengerVersion", () -> challenger == null ? "" : challenger.version());
            group.gauge("challengerMode", () -> challenger == null ? "none" : challenger.mode());
            group.gauge(
                    "abShare",
                    () -> challenger == null || challenger.isShadow() ? 0.0 : challenger.share());
        }

        /**
         * Makes {@code model} the champion, with a numeric gauge for it that Prometheus exports
         * (the string gauges above reach the web UI only): {@code model.<type>.version.<version>.
         * scorer.<kind>.active}, 1 while that version serves with that scorer, 0 after it was
         * replaced. One gauge per version and kind ever served by this instance: a few a day.
         */
        void serve(ServedModel model) {
            champion = model;
            String version = model.version();
            String kind = model.info().kind().name().toLowerCase(Locale.ROOT);
            if (versionGauges.add(version + "/" + kind)) {
                group.addGroup("version", version)
                        .addGroup("scorer", kind)
                        .gauge(
                                "active",
                                () -> {
                                    ServedModel now = champion;
                                    return now.version().equals(version)
                                                    && now.info()
                                                            .kind()
                                                            .name()
                                                            .toLowerCase(Locale.ROOT)
                                                            .equals(kind)
                                            ? 1
                                            : 0;
                                });
            }
        }
    }
}
