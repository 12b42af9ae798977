package io.snapline.runtime.checkpoint;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.CommSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between the engine's saved messages and the SPI's {@link SavedMessage}: the element type's code is the
 * ordinal of its {@link BaseType}, as the rank image has always stored it.
 */
final class EngineMessages {
    private static final BaseType[] TYPES = BaseType.values();

    private EngineMessages() {
    }

    static boolean isKnownType(int type) {
        return type >= 0 && type < TYPES.length;
    }

    static int typeOf(BaseType base) {
        return base.ordinal();
    }

    /** @throws CheckpointException if the message's type is not one of this runtime's */
    static BaseType baseOf(SavedMessage s) {
        if (!isKnownType(s.type())) {
            throw new CheckpointException("a saved message from rank " + s.source() + " has unknown element type "
                    + s.type());
        }
        return TYPES[s.type()];
    }

    static List<SavedMessage> toSpi(List<CommSnapshot.Saved> saved) {
        List<SavedMessage> out = new ArrayList<>(saved.size());
        for (CommSnapshot.Saved s : saved) {
            out.add(new SavedMessage(s.source(), s.context(), s.tag(), typeOf(s.base()), s.elements(), s.payload()));
        }
        return out;
    }

    /** @throws CheckpointException if a message's type is not one of this runtime's */
    static List<CommSnapshot.Saved> toEngine(List<SavedMessage> saved) {
        List<CommSnapshot.Saved> out = new ArrayList<>(saved.size());
        for (SavedMessage s : saved) {
            out.add(new CommSnapshot.Saved(s.source(), s.context(), s.tag(), baseOf(s), s.elements(), s.payload()));
        }
        return out;
    }
}
