// What each enforcement mode allows. `revert` includes the safe fixes of `fix`.
import type { RuleMode } from '../config/types.js';

export const mayFix = (mode: RuleMode): boolean => mode === 'fix' || mode === 'revert';
export const mayRevert = (mode: RuleMode): boolean => mode === 'revert';
