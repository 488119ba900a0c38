export { EventQueue, type EventHandle } from './event-queue.js';
export { Simulator } from './simulator.js';
