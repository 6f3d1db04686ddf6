import type { ZoomPlan, ZoomRateLimitLabel } from '../../src/providers/zoom/rate-limits.js';

export type SimRegistrantStatus = 'approved' | 'pending' | 'denied' | 'cancelled';

export interface SimInterpreter {
  email: string;
  languages?: string;
  interpreter_languages?: string;
}

export interface SimWebinarSettings extends Record<string, unknown> {
  approval_type: 0 | 1 | 2;
  registration_type: 1 | 2 | 3;
  language_interpretation: { enable: boolean; interpreters: SimInterpreter[] };
}

export interface SimWebinar {
  id: number;
  uuid: string;
  hostId: string;
  hostEmail: string;
  topic: string;
  type: 5 | 6 | 9;
  startTime?: string;
  timezone?: string;
  duration?: number;
  agenda?: string;
  password: string;
  createdAt: string;
  settings: SimWebinarSettings;
  joinUrl: string;
  startUrl: string;
  registrationUrl: string;
  /** The latest instance: started at the first join, ended by the host or at its scheduled end. */
  startedAt?: number;
  endedAt?: number;
}

export interface SimRegistrant {
  id: string;
  webinarId: number;
  email: string;
  firstName: string;
  lastName?: string;
  status: SimRegistrantStatus;
  token: string;
  joinUrl: string;
  createTime: string;
}

export interface SimPanelist {
  id: string;
  webinarId: number;
  email: string;
  name: string;
  token: string;
  joinUrl: string;
}

export interface SimJoin {
  webinarId: number;
  email: string;
  name: string;
  role: 'attendee' | 'panelist';
  registrantId?: string;
  at: number;
}

/** One stay in a webinar: a re-join is a new one, as in Zoom's past-participants list. */
export interface SimParticipation {
  id: string;
  userId: string;
  token: string;
  name: string;
  email: string;
  registrantId?: string;
  joinAt: number;
  leaveAt?: number;
}

export interface ZoomSimulatorState {
  webinars: Map<number, SimWebinar>;
  registrants: Map<number, SimRegistrant[]>;
  panelists: Map<number, SimPanelist[]>;
  joins: SimJoin[];
  participations: Map<number, SimParticipation[]>;
}

export type CallLabel = ZoomRateLimitLabel | 'oauth' | 'page' | 'none';

export interface SimCall {
  method: string;
  path: string;
  label: CallLabel;
  status: number;
  at: number;
  fault?: FaultKind;
}

export type FaultKind = 'http500' | 'reset' | 'lostResponse';

export interface SimReply {
  status: number;
  body?: unknown;
  html?: string;
  headers?: Record<string, string>;
}

export interface ZoomSimulatorOptions {
  accountId: string;
  clientId: string;
  clientSecret: string;
  plan?: ZoomPlan;
  now?: () => number;
  enforceRateLimits?: boolean;
  perSecondLimits?: Partial<Record<ZoomRateLimitLabel, number>>;
  /** Per-label daily caps replacing the plan's (e.g. `{ heavy: 0 }` to answer as if the day's budget were spent). */
  dailyLimits?: Partial<Record<ZoomRateLimitLabel, number>>;
  /** An account without the interpretation feature: the setting is accepted and silently not applied. */
  dropInterpretation?: boolean;
  host?: string;
  port?: number;
  /** Where to send signed `webinar.participant_joined` events when someone opens a join link. */
  webhook?: { url: string; secretToken: string };
}
