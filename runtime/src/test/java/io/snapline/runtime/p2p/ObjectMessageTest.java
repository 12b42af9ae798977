package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MPI.OBJECT between ranks, each with its own class loader: user classes, graphs, typed arrays, errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ObjectMessageTest {

    public static class Objects {
        record Point(int x, int y) {
        }

        /** Not Serializable; a graph with a cycle. */
        static final class Vertex {
            final String name;
            final List<Vertex> edges = new ArrayList<>();

            Vertex(String name) {
                this.name = name;
            }
        }

        static final class Guarded {
            final Object monitor = new java.util.concurrent.locks.ReentrantReadWriteLock();
        }

        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                Point[] points = new Point[6];
                for (int i = 0; i < points.length; i++) {
                    points[i] = new Point(i, -i);
                }
                Datatype everyOther = Datatype.Vector(3, 1, 2, MPI.OBJECT);
                MPI.COMM_WORLD.Send(points, 1, 1, everyOther, 1, 1);

                Vertex a = new Vertex("a");
                Vertex b = new Vertex("b");
                a.edges.add(b);
                b.edges.add(a);
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("graph", a);
                map.put("same", b);
                MPI.COMM_WORLD.Send(new Object[] {map, a}, 0, 2, MPI.OBJECT, 1, 2);

                MPIException e = assertThrows(MPIException.class,
                        () -> MPI.COMM_WORLD.Send(new Object[] {new Guarded()}, 0, 1, MPI.OBJECT, 1, 3));
                assertTrue(e.getMessage().startsWith("Send: MPI.OBJECT: cannot serialize class"
                        + " java.util.concurrent.locks.ReentrantReadWriteLock"), e.getMessage());
                assertTrue(e.getMessage().contains(Guarded.class.getName()), e.getMessage());
                MPI.COMM_WORLD.Send(new Object[] {new Point(7, 7)}, 0, 1, MPI.OBJECT, 1, 3);
            } else if (me == 1) {
                Point[] got = new Point[3];
                Status s = MPI.COMM_WORLD.Recv(got, 0, 3, MPI.OBJECT, 0, 1);
                assertEquals(3, s.Get_count(MPI.OBJECT));
                assertEquals(new Point(1, -1), got[0]);
                assertEquals(new Point(5, -5), got[2]);
                assertSame(Point.class, got[0].getClass(), "decoded with this rank's own class");

                Object[] two = new Object[2];
                MPI.COMM_WORLD.Recv(two, 0, 2, MPI.OBJECT, 0, 2);
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) two[0];
                Vertex a = (Vertex) map.get("graph");
                Vertex b = (Vertex) map.get("same");
                assertEquals(List.of("graph", "same"), new ArrayList<>(map.keySet()));
                assertSame(b, a.edges.get(0));
                assertSame(a, b.edges.get(0), "cycle kept");
                assertSame(a, two[1], "shared reference across elements kept");

                Object[] next = new Object[1];
                MPI.COMM_WORLD.Recv(next, 0, 1, MPI.OBJECT, 0, 3);
                assertEquals(new Point(7, 7), next[0], "the failed send left nothing behind");
                assertNull(MPI.COMM_WORLD.Iprobe(0, MPI.ANY_TAG));
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldSendUserClassesAndNameUnserializableClass() {
        MpiRun.ok(2, Objects.class);
    }
}
