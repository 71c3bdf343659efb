/**
 * Imported before the AWS SDK: its notice that releases after January 2027
 * will need Node 22 would print on every command. The SDK versions Burst uses
 * are pinned and support Node 20, which Burst targets.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
