/**
 * Process topologies as immutable values: Cartesian grids ({@link io.snapline.runtime.engine.topology.CartTopology},
 * {@link io.snapline.runtime.engine.topology.Dims}) and graphs
 * ({@link io.snapline.runtime.engine.topology.GraphTopology}). They map ranks to coordinates and neighbours; they send
 * no messages. Communicators carrying a topology are built by the facade from these and
 * {@link io.snapline.runtime.engine.CommFactory}.
 */
package io.snapline.runtime.engine.topology;
