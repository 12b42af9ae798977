/** Space-time diagrams of histories and recovery lines as SVG. */
package io.snapline.recovery.svg;
