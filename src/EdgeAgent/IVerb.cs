namespace EdgeVision.EdgeAgent;

/// <summary>One verb of the <c>edgevision</c> command (<c>detect</c>, <c>convert-tfjs</c>, ...).</summary>
internal interface IVerb
{
    string Name { get; }

    /// <summary>One line: the verb's arguments, shown by <c>edgevision help</c>.</summary>
    string Usage { get; }

    /// <summary>Left out of <c>edgevision help</c>: diagnostic verbs that users do not need.</summary>
    bool Hidden => false;

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
