/**
 * JSON with Jackson, the project's one JSON library: {@link io.snapline.runtime.json.JsonText} reads JSON text into
 * trees and writes trees in the layout of the project's files (the run report, histories, the recovery planner's
 * output).
 */
package io.snapline.runtime.json;
