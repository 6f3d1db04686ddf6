import type { Clock } from '../../src/clock.js';

/** A clock tests move by hand; it can also run on from a fixed start. */
export class TestClock implements Clock {
  private offset: number;
  constructor(start: Date | string, private readonly running = false) {
    this.offset = new Date(start).getTime() - (running ? Date.now() : 0);
  }
  now(): Date {
    return new Date(this.running ? Date.now() + this.offset : this.offset);
  }
  set(to: Date | string): void {
    this.offset = new Date(to).getTime() - (this.running ? Date.now() : 0);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}
