package io.propensity.job.reliability;

import io.propensity.job.SourceRecord;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Test only: the job's real source (the Kafka source) with a reader that counts the records it
 * emits, slows down a little, and throws the {@link FaultPlan}'s faults: while emitting, in {@code
 * snapshotState} and in {@code notifyCheckpointComplete}. Everything else is delegated, so the job
 * runs its production source, offsets and checkpoints unchanged.
 */
final class FaultInjectingSource<S extends SourceSplit, E>
        implements Source<SourceRecord, S, E>, ResultTypeQueryable<SourceRecord> {

    private static final long serialVersionUID = 1L;

    private final Source<SourceRecord, S, E> delegate;
    private final String plan;

    private FaultInjectingSource(Source<SourceRecord, S, E> delegate, String plan) {
        this.delegate = delegate;
        this.plan = plan;
    }

    static <S extends SourceSplit, E> Source<SourceRecord, S, E> wrap(
            Source<SourceRecord, S, E> delegate, String plan) {
        return new FaultInjectingSource<>(delegate, plan);
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> context)
            throws Exception {
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> context, E checkpoint)
            throws Exception {
        return delegate.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<S> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public SourceReader<SourceRecord, S> createReader(SourceReaderContext context)
            throws Exception {
        return new Reader<>(delegate.createReader(context), FaultPlan.named(plan));
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }

    private static final class Reader<S extends SourceSplit>
            implements SourceReader<SourceRecord, S> {

        private final SourceReader<SourceRecord, S> delegate;
        private final FaultPlan plan;

        Reader(SourceReader<SourceRecord, S> delegate, FaultPlan plan) {
            this.delegate = delegate;
            this.plan = plan;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<SourceRecord> output) throws Exception {
            return delegate.pollNext(new CountingReaderOutput(output, plan));
        }

        @Override
        public List<S> snapshotState(long checkpointId) {
            plan.check(FaultPlan.Point.SNAPSHOT);
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return delegate.isAvailable();
        }

        @Override
        public void addSplits(List<S> splits) {
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent sourceEvent) {
            delegate.handleSourceEvents(sourceEvent);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
            plan.onCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(
                Collection<String> splitsToPause, Collection<String> splitsToResume) {
            delegate.pauseOrResumeSplits(splitsToPause, splitsToResume);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }

    /** Counts records on their way out, for the reader and for every split's output. */
    private static class CountingOutput implements SourceOutput<SourceRecord> {

        private final SourceOutput<SourceRecord> delegate;
        final FaultPlan plan;

        CountingOutput(SourceOutput<SourceRecord> delegate, FaultPlan plan) {
            this.delegate = delegate;
            this.plan = plan;
        }

        @Override
        public void collect(SourceRecord record) {
            delegate.collect(record);
            counted();
        }

        @Override
        public void collect(SourceRecord record, long timestamp) {
            delegate.collect(record, timestamp);
            counted();
        }

        private void counted() {
            try {
                plan.onRecord();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            delegate.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            delegate.markIdle();
        }

        @Override
        public void markActive() {
            delegate.markActive();
        }
    }

    private static final class CountingReaderOutput extends CountingOutput
            implements ReaderOutput<SourceRecord> {

        private final ReaderOutput<SourceRecord> readerOutput;

        CountingReaderOutput(ReaderOutput<SourceRecord> delegate, FaultPlan plan) {
            super(delegate, plan);
            this.readerOutput = delegate;
        }

        @Override
        public SourceOutput<SourceRecord> createOutputForSplit(String splitId) {
            return new CountingOutput(readerOutput.createOutputForSplit(splitId), plan);
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            readerOutput.releaseOutputForSplit(splitId);
        }
    }
}
