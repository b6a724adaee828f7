// Public surface of the services.yaml module.
export { applyEdits } from './apply-edits.js';
export type { ConfigDocument, LoadResult } from './config-document.js';
export { DEFAULTS, FIELDS, LIMITS } from './fields.js';
export { loadProject, type LoadOptions } from './load-project.js';
export { firstPort, parseDockerPort } from './normalise-target.js';
export { defaultProjectName, parseProject } from './parse-project.js';
export { formatProblem } from './problems.js';
export { rawServices } from './raw-services.js';
export { createProjectFile, newProjectText, saveDocument, SCHEMA_URL } from './save-document.js';
