/**
 * The {@code snapline} command line ({@code bin/snapline}): {@code recovery-line} computes and explains recovery lines
 * for a history file, as a table or as JSON, and draws the space-time diagram.
 */
package io.snapline.recovery.cli;
