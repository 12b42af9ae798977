/**
 * A discrete-event model of a job under failures ({@code snapline simulate}): how long a job of a given amount of work
 * takes on N ranks when nodes fail at random, under each checkpoint policy, and where the time goes. It answers
 * "what would this policy cost at scale" without running the job there, and checks the interval formulas against
 * the simulated optimum.
 */
package io.snapline.recovery.simulate;
