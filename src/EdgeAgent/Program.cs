using EdgeVision.EdgeAgent;

return await CommandLine.RunAsync(args);
