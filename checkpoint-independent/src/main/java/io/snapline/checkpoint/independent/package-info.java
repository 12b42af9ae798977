/**
 * The independent checkpoint policy: each rank checkpoints on its own schedule, tracks dependencies through
 * piggybacked checkpoint intervals and logs messages (sender-based, with receive-order determinants) so that a
 * failed rank can recover alone. Found by the launcher through {@link java.util.ServiceLoader}.
 */
package io.snapline.checkpoint.independent;
