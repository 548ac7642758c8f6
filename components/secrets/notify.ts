// OneHub's own notifications (common/notify/notifier.go, v0.14.27): e-mail, WeCom, DingTalk, Lark,
// PushDeer and Telegram notices, e.g. when a node auto-disables a channel. Any node sends them (slaves
// disable channels too), so every node gets the same settings. viper reads `notify.<channel>.<key>`
// from NOTIFY_<CHANNEL>_<KEY> (AutomaticEnv, "." → "_", upper case).
//
// Wiring as data: the names below are the whole list. Settings go to plain environment; credentials
// (webhooks, tokens, signing secrets, push keys, bot API keys) only through ECS `secrets`, from one
// Secrets Manager secret holding a JSON object, injected key by key.
import { fail } from "../common/validation";

/** Settings that are not credentials: plain environment is fine. */
export const NOTIFY_SETTINGS = [
    "NOTIFY_EMAIL_DISABLE",
    "NOTIFY_EMAIL_SMTP_TO",
    "NOTIFY_WECOM_DISABLE",
    "NOTIFY_DINGTALK_KEYWORD",
    "NOTIFY_LARK_KEYWORD",
    "NOTIFY_PUSHDEER_URL",
    "NOTIFY_TELEGRAM_CHAT_ID",
    "NOTIFY_TELEGRAM_HTTP_PROXY",
] as const;

/** Credentials: whoever reads them can post to the channel; only ever ECS secrets. */
export const NOTIFY_CREDENTIALS = [
    "NOTIFY_WECOM_WEBHOOK",
    "NOTIFY_DINGTALK_TOKEN",
    "NOTIFY_DINGTALK_SECRET",
    "NOTIFY_LARK_TOKEN",
    "NOTIFY_LARK_SECRET",
    "NOTIFY_PUSHDEER_PUSHKEY",
    "NOTIFY_TELEGRAM_BOT_API_KEY",
] as const;

const ALL = [...NOTIFY_SETTINGS, ...NOTIFY_CREDENTIALS] as readonly string[];
const isCredential = (name: string) => (NOTIFY_CREDENTIALS as readonly string[]).includes(name);

/**
 * The plain settings, from "NAME=value" entries: known, non-credential names, each once, with a value.
 * A proxy URL with a user and password is a credential: it belongs in the secret.
 */
export function parseNotifySettings(key: string, entries: readonly string[]): Record<string, string> {
    const settings: Record<string, string> = {};
    entries.forEach((entry, i) => {
        const at = `${key}[${i}]`;
        const eq = entry.indexOf("=");
        const name = eq < 0 ? entry : entry.slice(0, eq);
        const value = eq < 0 ? "" : entry.slice(eq + 1);
        if (isCredential(name)) {
            fail(at, name, `is a credential: put it in the secret notifications object (notifySecrets), never in plain environment`);
        }
        if (!ALL.includes(name)) {
            fail(at, entry, `must be NAME=value with NAME one of OneHub's notification settings: ${NOTIFY_SETTINGS.join(", ")}`);
        }
        if (value === "") {
            fail(at, entry, "must be NAME=value with a value (leave a setting out to unset it)");
        }
        if (name in settings) {
            fail(at, entry, `sets ${name} a second time`);
        }
        if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(value)) {
            fail(at, name, "holds a URL with a user and password: put it in the secret notifications object (notifySecrets)");
        }
        settings[name] = value;
    });
    return settings;
}

/**
 * The names of the secret notifications object (a JSON object of NOTIFY_* name → value), checked;
 * messages never show a value. Any known name may be secret; unknown names, empty values and anything
 * but an object of strings are refused.
 */
export function notifySecretNames(key: string, json: string): string[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        fail(key, "(secret)", 'must be a JSON object of NOTIFY_* names to values, e.g. {"NOTIFY_TELEGRAM_BOT_API_KEY":"…"}');
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        fail(key, "(secret)", "must be a JSON object of NOTIFY_* names to values");
    }
    const names = Object.keys(parsed as object);
    for (const name of names) {
        if (!ALL.includes(name)) {
            fail(`${key}.${name}`, "(secret)", `is not one of OneHub's notification settings: ${ALL.join(", ")}`);
        }
        const value = (parsed as Record<string, unknown>)[name];
        if (typeof value !== "string" || value === "") {
            fail(`${key}.${name}`, "(secret)", "must be a non-empty string");
        }
    }
    return names.sort();
}

/** Settings and secrets must not both set a name: which one would a node read? */
export function checkNotifyOverlap(key: string, settings: Record<string, string>, secretNames: readonly string[]): void {
    for (const name of secretNames) {
        if (name in settings) {
            fail(key, name, "is set both as a plain setting and in the secret notifications object");
        }
    }
}
