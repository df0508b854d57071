export { FesterError, isFesterError, type SourceLocation, type FesterErrorInit } from './FesterError.js';
export { PluginError } from './PluginError.js';
export { CODES, type ErrorCode } from './codes.js';
export { didYouMean } from './didYouMean.js';
