/**
 * The device SPI: moving {@link io.snapline.runtime.device.Packet}s between the ranks of a job.
 * A device knows ranks of the job ("world ranks") and nothing of communicators, groups or datatypes.
 */
package io.snapline.runtime.device;
