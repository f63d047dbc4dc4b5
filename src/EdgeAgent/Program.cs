using EdgeVision.EdgeAgent;
using EdgeVision.EdgeAgent.Hosting;

// Before any native library starts threads of its own (see MallocArenas).
MallocArenas.Limit();
return await CommandLine.RunAsync(args);
