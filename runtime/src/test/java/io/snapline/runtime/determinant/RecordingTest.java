package io.snapline.runtime.determinant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingTest {
    private static final int ANY = Determinant.ANY;

    @Test
    void shouldRecordOneIdleRunWhenAPollingLoopFindsNothingAMillionTimes() {
        Recording r = new Recording();
        for (int i = 0; i < 1_000_000; i++) {
            r.probed(false, ANY, 3, 0, null);
            r.completed(Op.TEST, 1, List.of());
        }
        r.probed(false, ANY, 3, 0, new Matched(2, 3, 41));
        DeterminantLog log = r.finish();
        assertEquals(List.of(
                new Idle(2_000_000, List.of(new Poll(Op.IPROBE, ANY, 3, 0, 0), new Poll(Op.TEST, 0, 0, 0, 1))),
                new Probed(false, ANY, 3, 0, new Matched(2, 3, 41))), log.events());
        assertEquals(2_000_001, log.calls());
    }

    @Test
    void shouldStartANewIdleRunWhenALoopPollsMoreThanEightKinds() {
        Recording r = new Recording();
        for (int round = 0; round < 3; round++) {
            for (int tag = 0; tag < 9; tag++) {
                r.probed(false, ANY, tag, 0, null);
            }
        }
        List<Determinant> events = r.finish().events();
        long calls = 0;
        for (Determinant d : events) {
            Idle i = (Idle) d;
            assertTrue(i.polls().size() <= Recording.POLLS_PER_RUN, i.toString());
            calls += i.times();
        }
        assertEquals(27, calls);
        assertTrue(events.size() > 1);
    }

    @Test
    void shouldKeepAReceivesPlaceAtItsPostingWhenItMatchesAfterLaterEvents() {
        Recording r = new Recording();
        Recording.Slot first = r.receive(ANY, 1, 0);
        r.completed(Op.WAITANY, 2, List.of(new Done(1, new Matched(3, 1, 7))));
        r.matched(first, new Matched(2, 1, 5));
        assertEquals(List.of(new Received(ANY, 1, 0, new Matched(2, 1, 5)),
                new Completed(Op.WAITANY, 2, List.of(new Done(1, new Matched(3, 1, 7))))), r.finish().events());
    }

    @Test
    void shouldRecordAReceiveAsUnmatchedWhenTheRecordingEndsFirst() {
        Recording r = new Recording();
        Recording.Slot slot = r.receive(ANY, ANY, 4);
        DeterminantLog log = r.finish();
        r.matched(slot, new Matched(1, 0, 1));
        assertEquals(List.of(new Received(ANY, ANY, 4, null)), log.events());
        assertNull(((Received) log.events().get(0)).matched());
    }

    @Test
    void shouldDrainUpToTheFirstUnmatchedReceiveAndKeepRecording() {
        Recording r = new Recording();
        r.probed(true, ANY, 0, 0, new Matched(1, 0, 1));
        Recording.Slot pending = r.receive(ANY, 0, 0);
        r.completed(Op.TESTANY, 2, List.of(new Done(0, null)));
        assertEquals(List.of(new Probed(true, ANY, 0, 0, new Matched(1, 0, 1))), r.drain().events());
        r.matched(pending, new Matched(2, 0, 9));
        assertEquals(List.of(new Received(ANY, 0, 0, new Matched(2, 0, 9)),
                new Completed(Op.TESTANY, 2, List.of(new Done(0, null)))), r.drain().events());
        assertTrue(r.finish().isEmpty());
    }

    @Test
    void shouldIgnoreAMatchOfASlotFromAnotherRecording() {
        Recording old = new Recording();
        Recording.Slot stale = old.receive(ANY, 0, 0);
        Recording r = new Recording();
        r.receive(ANY, 0, 0);
        r.matched(stale, new Matched(1, 0, 1));
        assertTrue(r.drain().isEmpty(), "its own receive has not matched");
        assertEquals(List.of(new Received(ANY, 0, 0, null)), r.finish().events());
    }

    @Test
    void shouldDrainEverythingWithPositionsAndResolveAnUnmatchedReceiveInALaterDrain() {
        Recording r = new Recording();
        r.probed(true, ANY, 0, 0, new Matched(1, 0, 1));
        Recording.Slot pending = r.receive(ANY, 0, 0);
        r.probed(false, ANY, 0, 0, null);
        r.probed(false, ANY, 0, 0, null);
        Determinants.Drained first = r.drainAll();
        assertEquals(0, first.first());
        assertEquals(List.of(new Probed(true, ANY, 0, 0, new Matched(1, 0, 1)), new Received(ANY, 0, 0, null),
                new Idle(2, List.of(new Poll(Op.IPROBE, ANY, 0, 0, 0)))), first.events().events());
        assertTrue(first.resolved().isEmpty());
        r.matched(pending, new Matched(2, 0, 9));
        r.completed(Op.TESTANY, 2, List.of(new Done(1, null)));
        Determinants.Drained second = r.drainAll();
        assertEquals(3, second.first(), "positions go on from the first drain");
        assertEquals(List.of(new Completed(Op.TESTANY, 2, List.of(new Done(1, null)))), second.events().events());
        assertEquals(List.of(new Determinants.Resolution(1, new Matched(2, 0, 9))), second.resolved());
        assertTrue(r.drainAll().isEmpty());
    }

    @Test
    void shouldSayWhetherADrainCouldTakeAnythingSoThatASendWithNothingNewTakesNoLock() {
        Recording r = new Recording();
        assertFalse(r.undrained(), "a fresh recording has nothing to drain");
        Recording.Slot pending = r.receive(ANY, 0, 0);
        assertTrue(r.undrained());
        assertFalse(r.drainAll().isEmpty());
        assertFalse(r.undrained(), "the drain took it");
        r.matched(pending, new Matched(2, 0, 9));
        assertTrue(r.undrained(), "the match of a receive drained unmatched is still to drain");
        assertEquals(1, r.drainAll().resolved().size());
        r.probed(false, 3, 0, 0, null);
        assertTrue(r.undrained(), "an idle poll opens a run a drain takes");
        assertFalse(r.drainAll().isEmpty());
        r.completed(Op.TESTANY, 2, List.of(new Done(1, null)));
        assertTrue(r.undrained());
        r.drainAll();
        assertTrue(r.drainAll().isEmpty());
        assertFalse(r.undrained());
    }

    @Test
    void shouldMarkAnIdleRunUnderWayWithoutClosingItAndContinueItWhenResumedFromTheMark() {
        Recording r = new Recording();
        r.probed(true, ANY, 0, 0, new Matched(1, 0, 1));
        r.drainAll();
        r.probed(false, 3, 0, 0, null);
        r.probed(false, 3, 0, 0, null);
        Determinants.Mark mark = r.mark();
        assertEquals(1, mark.position());
        assertEquals(new Idle(2, List.of(new Poll(Op.IPROBE, 3, 0, 0, 0))), mark.open());
        r.probed(false, 3, 0, 0, null);
        Determinants.Drained original = r.drainAll();

        Recording again = new Recording(mark); // a restart from the mark records the same stream again
        again.probed(false, 3, 0, 0, null);
        assertEquals(original, again.drainAll());
        assertEquals(new Determinants.Mark(2, null), again.mark());
    }
}
