// Owns the round trip of an HTML form that a user got wrong: which field, what message, which status.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, FieldErrors } from './errors.ts';

/**
 * Runs a form action; when it fails with an error the user caused (400, 401, 403, 409, 429), the form is
 * shown again with every field's message next to it (and in the summary) instead of an error page.
 * Anything else propagates.
 */
export async function handleForm(
  request: FastifyRequest,
  reply: FastifyReply,
  action: () => Promise<FastifyReply> | FastifyReply,
  showForm: (errors: Record<string, string>, status: number) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof AppError) || error.statusCode === 404 || error.statusCode >= 500) throw error;
    if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
    const problems = error instanceof FieldErrors ? error.problems : [error];
    const errors: Record<string, string> = {};
    // One message per field, in the order the form shows them; the first problem of a field wins.
    for (const problem of problems) errors[problem.field ?? 'form'] ??= request.i18n.t(problem.messageKey, problem.params);
    return showForm(errors, error.statusCode);
  }
}
