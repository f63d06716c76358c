// The executable only wires config.yaml to the engine; everything else lives in src/MirrorGate.
return await MirrorGate.Hosting.MirrorGateHost.RunAsync(args);
