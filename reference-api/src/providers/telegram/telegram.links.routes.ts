import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { InvalidPhoneError, normalisePhone } from '@sms-mfa/common/phone';
import { invalidPhone, notFound } from '../../errors.js';
import { parseBody } from '../../messages/message-input.js';
import { CHAT_ID, type TelegramChatLinks } from './telegram.chat-links.js';

const linkSchema = z.strictObject({
  chatId: z
    .union([z.string(), z.number().int()])
    .transform(String)
    .pipe(z.string().regex(CHAT_ID, 'must be a Telegram chat id (an integer)')),
});

function phoneParam(raw: unknown): string {
  try {
    return normalisePhone(String(raw ?? '')).e164;
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      throw invalidPhone('phone', err.message);
    }
    throw err;
  }
}

/** `PUT /v1/telegram/links/{phone}` `{chatId}` and `DELETE` the same: which chat the bot writes to for a number. */
export function telegramLinkRoutes(links: TelegramChatLinks, auth: RequestHandler): Router {
  const router = Router();
  router.put('/v1/telegram/links/:phone', auth, async (req, res) => {
    const phone = phoneParam(req.params['phone']);
    const { chatId } = parseBody(linkSchema, req.body);
    await links.link(phone, chatId);
    res.status(204).end();
  });
  router.delete('/v1/telegram/links/:phone', auth, async (req, res) => {
    if (!(await links.unlink(phoneParam(req.params['phone'])))) {
      throw notFound('link');
    }
    res.status(204).end();
  });
  return router;
}
