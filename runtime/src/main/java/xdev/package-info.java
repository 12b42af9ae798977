/** Compatibility: the supertype of {@code mpjdev.MPJDevException} in MPJ Express. */
package xdev;
