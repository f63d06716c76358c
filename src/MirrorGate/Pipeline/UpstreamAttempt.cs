using MirrorGate.Balancing;

namespace MirrorGate.Pipeline;

/// <summary>
/// One try at an upstream node: the node, the status it gave (or the 502/504 the gateway made
/// when it failed to answer) and how long the forwarder spent on it, body included (nginx's
/// <c>$upstream_addr</c>, <c>$upstream_status</c> and <c>$upstream_response_time</c> items).
/// </summary>
internal readonly record struct UpstreamAttempt(UpstreamNode Node, int Status, TimeSpan Elapsed);
