export { EventQueue, type ScheduledEvent } from './event-queue.js';
export { Simulator } from './simulator.js';
