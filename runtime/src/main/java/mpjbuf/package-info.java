/**
 * Compatibility: the few {@code mpjbuf} types that MPJ Express programs name when they call {@code Comm.Pack} and
 * {@code Comm.Unpack} ({@link mpjbuf.Buffer}, {@link mpjbuf.RawBuffer}, {@link mpjbuf.BufferFactory}). Packed data
 * has Snapline's own format (see {@code io.snapline.runtime.engine.PackCodec}); MPJ Express's sectioned buffer API
 * is not provided.
 */
package mpjbuf;
