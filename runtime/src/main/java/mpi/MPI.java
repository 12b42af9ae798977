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

    public static final int IDENT = Group.IDENT;
    public static final int CONGRUENT = Group.CONGRUENT;
    public static final int SIMILAR = Group.SIMILAR;
    public static final int UNEQUAL = Group.UNEQUAL;
    public static int GRAPH = 1;
    public static int CART = 2;

    public static Datatype NULL = MPISupport.datatype(TypeMap.empty(), Datatype.NULL_CODE);
    public static Datatype BYTE = MPISupport.datatype(TypeMap.basic(BaseType.BYTE), Datatype.BYTE_CODE);
    public static Datatype CHAR = MPISupport.datatype(TypeMap.basic(BaseType.CHAR), Datatype.CHAR_CODE);
    public static Datatype SHORT = MPISupport.datatype(TypeMap.basic(BaseType.SHORT), Datatype.SHORT_CODE);
    public static Datatype BOOLEAN = MPISupport.datatype(TypeMap.basic(BaseType.BOOLEAN), Datatype.BOOLEAN_CODE);
    public static Datatype INT = MPISupport.datatype(TypeMap.basic(BaseType.INT), Datatype.INT_CODE);
    public static Datatype LONG = MPISupport.datatype(TypeMap.basic(BaseType.LONG), Datatype.LONG_CODE);
    public static Datatype FLOAT = MPISupport.datatype(TypeMap.basic(BaseType.FLOAT), Datatype.FLOAT_CODE);
    public static Datatype DOUBLE = MPISupport.datatype(TypeMap.basic(BaseType.DOUBLE), Datatype.DOUBLE_CODE);
    public static Datatype PACKED = MPISupport.datatype(TypeMap.basic(BaseType.PACKED), Datatype.PACKED_CODE);
    public static Datatype LB = MPISupport.datatype(TypeMap.marker(TypeMap.Marker.LB), Datatype.LB_CODE);
    public static Datatype UB = MPISupport.datatype(TypeMap.marker(TypeMap.Marker.UB), Datatype.UB_CODE);
    public static Datatype OBJECT = MPISupport.datatype(TypeMap.basic(BaseType.OBJECT), Datatype.OBJECT_CODE);

    /** Pair types for {@link #MAXLOC} and {@link #MINLOC}: (value, index) stored side by side. */
    public static Datatype SHORT2 = MPISupport.pair(BaseType.SHORT, Datatype.SHORT_CODE);
    public static Datatype INT2 = MPISupport.pair(BaseType.INT, Datatype.INT_CODE);
    public static Datatype LONG2 = MPISupport.pair(BaseType.LONG, Datatype.LONG_CODE);
    public static Datatype FLOAT2 = MPISupport.pair(BaseType.FLOAT, Datatype.FLOAT_CODE);
    public static Datatype DOUBLE2 = MPISupport.pair(BaseType.DOUBLE, Datatype.DOUBLE_CODE);

    public static Op MAX = MPISupport.op(PredefinedOps.MAX, 1);
    public static Op MIN = MPISupport.op(PredefinedOps.MIN, 2);
    public static Op SUM = MPISupport.op(PredefinedOps.SUM, 3);
    public static Op PROD = MPISupport.op(PredefinedOps.PROD, 4);
    public static Op LAND = MPISupport.op(PredefinedOps.LAND, 5);
    public static Op BAND = MPISupport.op(PredefinedOps.BAND, 6);
    public static Op LOR = MPISupport.op(PredefinedOps.LOR, 7);
    public static Op BOR = MPISupport.op(PredefinedOps.BOR, 8);
    public static Op LXOR = MPISupport.op(PredefinedOps.LXOR, 9);
    public static Op BXOR = MPISupport.op(PredefinedOps.BXOR, 10);
    public static Op MAXLOC = MPISupport.op(PredefinedOps.MAXLOC, 11);
    public static Op MINLOC = MPISupport.op(PredefinedOps.MINLOC, 12);

    public static Status EMPTY_STATUS = new Status();
    public static Request REQUEST_NULL = MPISupport.nullRequest();

    public static int BSEND_OVERHEAD;
    public static int SEND_OVERHEAD;
    public static int RECV_OVERHEAD;
    public static int TAG_UB;
    public static int HOST;
    public static int IO;

    /** All ranks of the job. Usable once {@link #Init} has run. */
    public static Intracomm COMM_WORLD = MPISupport.unboundComm();
    public static Comm COMM_SELF = MPISupport.unboundComm();
    public static Comm COMM_NULL;
    public static Group GROUP_EMPTY;
    public static Group GROUP_NULL;
    public static Errhandler ERRORS_ARE_FATAL = MPISupport.errhandler("ERRORS_ARE_FATAL");
    public static Errhandler ERRORS_RETURN = MPISupport.errhandler("ERRORS_RETURN");

    private static volatile int phase; // 0 before Init, 1 running, 2 finalized
    private static RankContext context;
    private static Errhandler errhandler;
    private static Thread mainThread;
    private static int threadLevel;

    public MPI() {
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
        MPISupport.bind(COMM_WORLD, Communicator.world(ep));
        MPISupport.bind(COMM_SELF, Communicator.self(ep));
        COMM_NULL = MPISupport.nullComm(ep);
        GROUP_EMPTY = MPISupport.emptyGroup();
        GROUP_NULL = MPISupport.nullGroup();
        BSEND_OVERHEAD = BsendBuffer.OVERHEAD;
        SEND_OVERHEAD = 0;
        RECV_OVERHEAD = 0;
        TAG_UB = Comm.TAG_UB_KEY;
        HOST = Comm.HOST_KEY;
        IO = Comm.IO_KEY;
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

    /**
     * Leaves the job: waits until every rank has reached Finalize, then no MPI call may follow. Messages sent to this
     * rank that it never received are dropped, with a warning on standard error that counts them by sender and tag.
     */
    public static void Finalize() throws MPIException {
        Communicator world = running("Finalize");
        try {
            context.checkpoint().finish();
            Collectives.barrier(world);
            context.checkpoint().leave();
            context.endpoint().close();
        } catch (EngineException e) {
            throw MPISupport.error("Finalize", e);
        }
        System.err.print(context.endpoint().unreceived().warning());
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
            throw MPISupport.error("Buffer_attach", e);
        }
    }

    /** Waits until every buffered message has been received, then detaches the buffer. */
    public static void Buffer_detach() throws MPIException {
        running("Buffer_detach");
        try {
            context.endpoint().bsendBuffer().detach(context.endpoint().job());
        } catch (EngineException e) {
            throw MPISupport.error("Buffer_detach", e);
        }
    }

    /** The world communicator while MPI is running; otherwise an error naming the call. */
    private static Communicator running(String op) {
        if (phase != 1) {
            throw new MPIException(op + ": " + (phase == 0 ? "MPI.Init has not been called"
                    : "MPI.Finalize has already been called"));
        }
        return MPISupport.communicator(COMM_WORLD);
    }
}
