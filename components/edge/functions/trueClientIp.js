// @ts-check
// CloudFront Function (runtime cloudfront-js-2.0, viewer request), shipped as this file's text.
//
// OneHub (gin) takes the client address for its per-IP limits and per-key IP allow-lists from the
// header named by TRUSTED_HEADER; without it, from the left-most X-Forwarded-For entry, which any
// client can write. This function sets True-Client-IP to the address CloudFront saw the viewer
// connect from, replacing whatever the client sent under that name, and the tasks run with
// TRUSTED_HEADER=True-Client-IP. CloudFront Functions see header names in lower case, each as
// { value } (plus multiValue when repeated): assigning the key replaces every copy.
// See https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example-function-add-true-client-ip-header.html

/**
 * @param {{ viewer: { ip: string }, request: { headers: Record<string, { value: string, multiValue?: { value: string }[] }> } }} event
 */
function handler(event) {
    var request = event.request;
    request.headers["true-client-ip"] = { value: event.viewer.ip };
    return request;
}
