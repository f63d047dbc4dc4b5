namespace EdgeVision.Tests.Analytics;

/// <summary>
/// How each of the 80 COCO labels is written for one object and for two, by hand: the pluralizer's
/// expected answers, and the vocabulary the caption checker reads captions with.
/// </summary>
internal static class CocoNouns
{
    public static IReadOnlyDictionary<string, (string One, string Two)> Phrases { get; } = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["person"] = ("a person", "2 people"),
        ["bicycle"] = ("a bicycle", "2 bicycles"),
        ["car"] = ("a car", "2 cars"),
        ["motorcycle"] = ("a motorcycle", "2 motorcycles"),
        ["airplane"] = ("an airplane", "2 airplanes"),
        ["bus"] = ("a bus", "2 buses"),
        ["train"] = ("a train", "2 trains"),
        ["truck"] = ("a truck", "2 trucks"),
        ["boat"] = ("a boat", "2 boats"),
        ["traffic light"] = ("a traffic light", "2 traffic lights"),
        ["fire hydrant"] = ("a fire hydrant", "2 fire hydrants"),
        ["stop sign"] = ("a stop sign", "2 stop signs"),
        ["parking meter"] = ("a parking meter", "2 parking meters"),
        ["bench"] = ("a bench", "2 benches"),
        ["bird"] = ("a bird", "2 birds"),
        ["cat"] = ("a cat", "2 cats"),
        ["dog"] = ("a dog", "2 dogs"),
        ["horse"] = ("a horse", "2 horses"),
        ["sheep"] = ("a sheep", "2 sheep"),
        ["cow"] = ("a cow", "2 cows"),
        ["elephant"] = ("an elephant", "2 elephants"),
        ["bear"] = ("a bear", "2 bears"),
        ["zebra"] = ("a zebra", "2 zebras"),
        ["giraffe"] = ("a giraffe", "2 giraffes"),
        ["backpack"] = ("a backpack", "2 backpacks"),
        ["umbrella"] = ("an umbrella", "2 umbrellas"),
        ["handbag"] = ("a handbag", "2 handbags"),
        ["tie"] = ("a tie", "2 ties"),
        ["suitcase"] = ("a suitcase", "2 suitcases"),
        ["frisbee"] = ("a frisbee", "2 frisbees"),
        ["skis"] = ("a pair of skis", "2 pairs of skis"),
        ["snowboard"] = ("a snowboard", "2 snowboards"),
        ["sports ball"] = ("a sports ball", "2 sports balls"),
        ["kite"] = ("a kite", "2 kites"),
        ["baseball bat"] = ("a baseball bat", "2 baseball bats"),
        ["baseball glove"] = ("a baseball glove", "2 baseball gloves"),
        ["skateboard"] = ("a skateboard", "2 skateboards"),
        ["surfboard"] = ("a surfboard", "2 surfboards"),
        ["tennis racket"] = ("a tennis racket", "2 tennis rackets"),
        ["bottle"] = ("a bottle", "2 bottles"),
        ["wine glass"] = ("a wine glass", "2 wine glasses"),
        ["cup"] = ("a cup", "2 cups"),
        ["fork"] = ("a fork", "2 forks"),
        ["knife"] = ("a knife", "2 knives"),
        ["spoon"] = ("a spoon", "2 spoons"),
        ["bowl"] = ("a bowl", "2 bowls"),
        ["banana"] = ("a banana", "2 bananas"),
        ["apple"] = ("an apple", "2 apples"),
        ["sandwich"] = ("a sandwich", "2 sandwiches"),
        ["orange"] = ("an orange", "2 oranges"),
        ["broccoli"] = ("a head of broccoli", "2 heads of broccoli"),
        ["carrot"] = ("a carrot", "2 carrots"),
        ["hot dog"] = ("a hot dog", "2 hot dogs"),
        ["pizza"] = ("a pizza", "2 pizzas"),
        ["donut"] = ("a donut", "2 donuts"),
        ["cake"] = ("a cake", "2 cakes"),
        ["chair"] = ("a chair", "2 chairs"),
        ["couch"] = ("a couch", "2 couches"),
        ["potted plant"] = ("a potted plant", "2 potted plants"),
        ["bed"] = ("a bed", "2 beds"),
        ["dining table"] = ("a dining table", "2 dining tables"),
        ["toilet"] = ("a toilet", "2 toilets"),
        ["tv"] = ("a TV", "2 TVs"),
        ["laptop"] = ("a laptop", "2 laptops"),
        ["mouse"] = ("a mouse", "2 mice"),
        ["remote"] = ("a remote", "2 remotes"),
        ["keyboard"] = ("a keyboard", "2 keyboards"),
        ["cell phone"] = ("a cell phone", "2 cell phones"),
        ["microwave"] = ("a microwave", "2 microwaves"),
        ["oven"] = ("an oven", "2 ovens"),
        ["toaster"] = ("a toaster", "2 toasters"),
        ["sink"] = ("a sink", "2 sinks"),
        ["refrigerator"] = ("a refrigerator", "2 refrigerators"),
        ["book"] = ("a book", "2 books"),
        ["clock"] = ("a clock", "2 clocks"),
        ["vase"] = ("a vase", "2 vases"),
        ["scissors"] = ("a pair of scissors", "2 pairs of scissors"),
        ["teddy bear"] = ("a teddy bear", "2 teddy bears"),
        ["hair drier"] = ("a hair drier", "2 hair driers"),
        ["toothbrush"] = ("a toothbrush", "2 toothbrushes"),
    };

    /// <summary>The label's noun for one object and for several, without article or count: ("pair of skis", "pairs of skis").</summary>
    public static (string Singular, string Plural) Forms(string label)
    {
        var (one, two) = Phrases[label];
        return (one[(one.IndexOf(' ') + 1)..], two[2..]);
    }
}
