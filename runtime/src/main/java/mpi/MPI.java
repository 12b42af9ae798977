package mpi;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.BsendBuffer;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Ranks;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.engine.collective.Collectives;
import io.snapline.runtime.engine.collective.PredefinedOps;
import io.snapline.runtime.launch.RankContext;
import io.snapline.runtime.launch.RankRegistry;
import io.snapline.runtime.serial.KryoObjectCodec;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The MPI environment: {@link #Init}, {@link #Finalize}, the predefined communicators, datatypes and operators, and
 * the constants. Field names and values follow MPJ Express (most are public non-final statics, as there).
 */
public class MPI {
    public static final boolean DEBUG = true;
    public static boolean isOldSelected = false;
    public static final int NUM_OF_PROCESSORS = Runtime.getRuntime().availableProcessors();

    public static int UNDEFINED = Ranks.UNDEFINED;
    public static int ANY_SOURCE = Ranks.ANY_SOURCE;
    public static int ANY_TAG = Ranks.ANY_TAG;
    public static int PROC_NULL = Ranks.PROC_NULL;

    public static int THREAD_SINGLE = 1;
    public static int THREAD_FUNNELED = 2;
    public static int THREAD_SERIALIZED = 3;
    public static int THREAD_MULTIPLE = 4;

    public static final int IDENT = 0;
    public static final int CONGRUENT = 3;
    public static final int SIMILAR = 1;
    public static final int UNEQUAL = 2;
    public static int GRAPH = 1;
    public static int CART = 2;

    public static Datatype NULL = Datatype.predefined(TypeMap.empty(), Datatype.NULL_CODE);
    public static Datatype BYTE = Datatype.predefined(TypeMap.basic(BaseType.BYTE), Datatype.BYTE_CODE);
    public static Datatype CHAR = Datatype.predefined(TypeMap.basic(BaseType.CHAR), Datatype.CHAR_CODE);
    public static Datatype SHORT = Datatype.predefined(TypeMap.basic(BaseType.SHORT), Datatype.SHORT_CODE);
    public static Datatype BOOLEAN = Datatype.predefined(TypeMap.basic(BaseType.BOOLEAN), Datatype.BOOLEAN_CODE);
    public static Datatype INT = Datatype.predefined(TypeMap.basic(BaseType.INT), Datatype.INT_CODE);
    public static Datatype LONG = Datatype.predefined(TypeMap.basic(BaseType.LONG), Datatype.LONG_CODE);
    public static Datatype FLOAT = Datatype.predefined(TypeMap.basic(BaseType.FLOAT), Datatype.FLOAT_CODE);
    public static Datatype DOUBLE = Datatype.predefined(TypeMap.basic(BaseType.DOUBLE), Datatype.DOUBLE_CODE);
    public static Datatype PACKED = Datatype.predefined(TypeMap.basic(BaseType.PACKED), Datatype.PACKED_CODE);
    public static Datatype LB = Datatype.predefined(TypeMap.marker(TypeMap.Marker.LB), Datatype.LB_CODE);
    public static Datatype UB = Datatype.predefined(TypeMap.marker(TypeMap.Marker.UB), Datatype.UB_CODE);
    public static Datatype OBJECT = Datatype.predefined(TypeMap.basic(BaseType.OBJECT), Datatype.OBJECT_CODE);

    /** Pair types for {@link #MAXLOC} and {@link #MINLOC}: (value, index) stored side by side. */
    public static Datatype SHORT2 = pair(BaseType.SHORT, Datatype.SHORT_CODE);
    public static Datatype INT2 = pair(BaseType.INT, Datatype.INT_CODE);
    public static Datatype LONG2 = pair(BaseType.LONG, Datatype.LONG_CODE);
    public static Datatype FLOAT2 = pair(BaseType.FLOAT, Datatype.FLOAT_CODE);
    public static Datatype DOUBLE2 = pair(BaseType.DOUBLE, Datatype.DOUBLE_CODE);

    public static Op MAX = new Op(PredefinedOps.MAX, 1);
    public static Op MIN = new Op(PredefinedOps.MIN, 2);
    public static Op SUM = new Op(PredefinedOps.SUM, 3);
    public static Op PROD = new Op(PredefinedOps.PROD, 4);
    public static Op LAND = new Op(PredefinedOps.LAND, 5);
    public static Op BAND = new Op(PredefinedOps.BAND, 6);
    public static Op LOR = new Op(PredefinedOps.LOR, 7);
    public static Op BOR = new Op(PredefinedOps.BOR, 8);
    public static Op LXOR = new Op(PredefinedOps.LXOR, 9);
    public static Op BXOR = new Op(PredefinedOps.BXOR, 10);
    public static Op MAXLOC = new Op(PredefinedOps.MAXLOC, 11);
    public static Op MINLOC = new Op(PredefinedOps.MINLOC, 12);

    public static Status EMPTY_STATUS = new Status();
    public static Request REQUEST_NULL = new Request(null, null);

    public static int BSEND_OVERHEAD;
    public static int SEND_OVERHEAD;
    public static int RECV_OVERHEAD;
    public static int TAG_UB;
    public static int HOST;
    public static int IO;

    /** All ranks of the job. Usable once {@link #Init} has run. */
    public static Intracomm COMM_WORLD = new Intracomm(null);
    public static Comm COMM_SELF = new Intracomm(null);
    public static Comm COMM_NULL;
    public static Group GROUP_EMPTY;
    public static Group GROUP_NULL;
    public static Errhandler ERRORS_ARE_FATAL = new Errhandler("ERRORS_ARE_FATAL");
    public static Errhandler ERRORS_RETURN = new Errhandler("ERRORS_RETURN");

    private static volatile int phase; // 0 before Init, 1 running, 2 finalized
    private static RankContext context;
    private static Errhandler errhandler;
    private static Thread mainThread;
    private static int threadLevel;

    public MPI() {
    }

    private static Datatype pair(BaseType base, int code) {
        return Datatype.predefined(TypeMap.contiguous(2, TypeMap.basic(base)), code);
    }

    /**
     * Joins the job. Returns the program's own arguments: a launcher puts three arguments of its own (rank, size,
     * device) in front of them, as MPJ Express does, and they are removed here.
     */
    public static String[] Init(String[] args) throws MPIException {
        if (phase == 1) {
            throw new MPIException("Init: MPI.Init has already been called in this rank");
        }
        if (phase == 2) {
            throw new MPIException("Init: MPI cannot be initialised again after MPI.Finalize");
        }
        RankContext ctx = RankRegistry.lookup(MPI.class.getClassLoader());
        Endpoint ep = ctx.endpoint();
        ep.setCodec(new KryoObjectCodec(ctx.classLoader()));
        context = ctx;
        COMM_WORLD.bind(Communicator.world(ep));
        ((Intracomm) COMM_SELF).bind(Communicator.self(ep));
        COMM_NULL = new Intracomm(null);
        GROUP_EMPTY = new Group(io.snapline.runtime.engine.Group.empty());
        GROUP_NULL = new Group(null);
        BSEND_OVERHEAD = BsendBuffer.OVERHEAD;
        SEND_OVERHEAD = 0;
        RECV_OVERHEAD = 0;
        TAG_UB = 1;
        HOST = 2;
        IO = 3;
        errhandler = ERRORS_ARE_FATAL;
        mainThread = Thread.currentThread();
        phase = 1;
        ctx.checkpoint().init();
        if (args == null) {
            return new String[0];
        }
        int prefix = Math.min(ctx.argPrefix(), args.length);
        return Arrays.copyOfRange(args, prefix, args.length);
    }

    /** Initialises MPI with a thread level; this runtime provides up to {@link #THREAD_SERIALIZED}. */
    public static String[] initThread(int required, int provided, String[] args) {
        String[] rest = Init(args);
        threadLevel = Math.min(required, THREAD_SERIALIZED);
        return rest;
    }

    public static int queryThread() {
        return threadLevel == 0 ? THREAD_SERIALIZED : threadLevel;
    }

    public static boolean isMainThread() {
        return Thread.currentThread() == mainThread;
    }

    /** Leaves the job: waits until every rank has reached Finalize, then no MPI call may follow. */
    public static void Finalize() throws MPIException {
        Communicator world = running("Finalize");
        try {
            context.checkpoint().finish();
            Collectives.barrier(world);
            context.endpoint().close();
        } catch (EngineException e) {
            throw MPIException.of("Finalize", e);
        }
        phase = 2;
    }

    public static boolean Initialized() throws MPIException {
        return phase != 0;
    }

    public static double Wtime() throws MPIException {
        return System.nanoTime() / 1e9;
    }

    public static double Wtick() throws MPIException {
        return 1e-9;
    }

    public static String Get_processor_name() throws MPIException {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    public static void Errorhandler_set(Errhandler handler) throws MPIException {
        running("Errorhandler_set");
        if (handler == null) {
            throw new MPIException("Errorhandler_set: the handler is null");
        }
        errhandler = handler;
    }

    public static Errhandler Errorhandler_get() throws MPIException {
        running("Errorhandler_get");
        return errhandler;
    }

    /**
     * A direct {@link ByteBuffer} of {@code capacity} bytes in the platform's byte order, as Open MPI's Java bindings
     * provide it. Any send or receive buffer may be a {@code ByteBuffer} instead of an array: offsets and counts stay
     * in elements of the datatype, element {@code i} lies at byte {@code i} times the element size from index 0 (the
     * buffer's position is ignored and left alone), in the buffer's byte order, up to its limit; the datatype must
     * be a primitive one without gaps (not {@code MPI.OBJECT}, not a vector or indexed type). On the {@code tcp}
     * device a large message sent from a direct buffer goes to the socket without being copied in Java.
     *
     * @throws MPIException when {@code capacity} is negative
     */
    public static ByteBuffer newByteBuffer(int capacity) throws MPIException {
        if (capacity < 0) {
            throw new MPIException("newByteBuffer: capacity must not be negative, was " + capacity);
        }
        return ByteBuffer.allocateDirect(capacity).order(java.nio.ByteOrder.nativeOrder());
    }

    /** Provides {@code buffer.capacity()} bytes for buffered sends ({@code Bsend}, {@code Ibsend}). */
    public static void Buffer_attach(ByteBuffer buffer) throws MPIException {
        running("Buffer_attach");
        if (buffer == null) {
            throw new MPIException("Buffer_attach: the buffer is null");
        }
        try {
            context.endpoint().bsendBuffer().attach(buffer, buffer.capacity());
        } catch (EngineException e) {
            throw MPIException.of("Buffer_attach", e);
        }
    }

    /** Waits until every buffered message has been received, then detaches the buffer. */
    public static void Buffer_detach() throws MPIException {
        running("Buffer_detach");
        try {
            context.endpoint().bsendBuffer().detach(context.endpoint().job());
        } catch (EngineException e) {
            throw MPIException.of("Buffer_detach", e);
        }
    }

    /** The world communicator while MPI is running; otherwise an error naming the call. */
    static Communicator running(String op) {
        if (phase != 1) {
            throw new MPIException(op + ": " + phaseProblem());
        }
        return COMM_WORLD.impl;
    }

    /** Explains why a communicator cannot be used. */
    static String unusable(Comm comm) {
        if (phase != 1) {
            return phaseProblem();
        }
        return comm == COMM_NULL ? "the communicator is MPI.COMM_NULL" : "the communicator has been freed";
    }

    private static String phaseProblem() {
        return phase == 0 ? "MPI.Init has not been called" : "MPI.Finalize has already been called";
    }

    static boolean isRunning() {
        return phase == 1;
    }

    static void checkAlive(Endpoint ep, String op) {
        try {
            ep.job().check();
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    static RankContext context() {
        return context;
    }
}
