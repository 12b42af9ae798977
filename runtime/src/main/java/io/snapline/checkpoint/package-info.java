/**
 * The program-facing checkpoint API: a program marks safe points ({@link io.snapline.checkpoint.Checkpoint#point})
 * and hands over the state it needs to continue ({@link io.snapline.checkpoint.Checkpoint#restoreOr}); the
 * launcher's policy decides when a safe point becomes a checkpoint, and after a failure the job restarts with that
 * state restored. Programs that never call this API run unchanged and restart from the beginning.
 */
package io.snapline.checkpoint;
