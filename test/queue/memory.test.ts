// The in-memory store against the one contract every adapter passes. No reopen: nothing it holds
// outlives the process, so the tests about a second instance on the same storage skip themselves.
import { openMemoryStore } from '../../src/queue/memory.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('memory', () => openMemoryStore());
