/**
 * Collective operations over intracommunicators, built on point-to-point messages in each communicator's
 * collective context: binomial trees, recursive doubling, rings and pairwise exchange, so that no single rank
 * carries the whole job's traffic.
 */
package io.snapline.runtime.engine.collective;
