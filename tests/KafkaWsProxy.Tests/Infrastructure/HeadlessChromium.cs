using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, driven through its chromium-driver with Selenium.
/// Both come from apt (./test.sh installs them when they are missing); nothing is
/// downloaded, and a missing browser fails the test loudly instead of skipping it.
/// CHROMIUM_BINARY and CHROMEDRIVER point elsewhere when needed.
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    private readonly DirectoryInfo _profile;

    private HeadlessChromium(ChromeDriver driver, DirectoryInfo profile)
    {
        Driver = driver;
        _profile = profile;
    }

    public ChromeDriver Driver { get; }

    public static HeadlessChromium Start()
    {
        var browser = Environment.GetEnvironmentVariable("CHROMIUM_BINARY") is { Length: > 0 } b ? b : "/usr/bin/chromium";
        var driverPath = Environment.GetEnvironmentVariable("CHROMEDRIVER") is { Length: > 0 } d ? d : "/usr/bin/chromedriver";
        foreach (var file in new[] { browser, driverPath })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException(
                    $"{file} is missing: the console tests need Debian's chromium and chromium-driver. " +
                    "./test.sh installs them (apt-get install -y chromium chromium-driver); set CHROMIUM_BINARY/CHROMEDRIVER for other paths.");
            }
        }

        var profile = Directory.CreateTempSubdirectory("kwp-chromium-");
        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
            $"--user-data-dir={profile.FullName}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        try
        {
            return new HeadlessChromium(new ChromeDriver(service, options, TimeSpan.FromSeconds(120)), profile);
        }
        catch
        {
            service.Dispose();
            profile.Delete(recursive: true);
            throw;
        }
    }

    public IWebElement Find(string id) => Driver.FindElement(By.Id(id));

    public string Text(string id) => Find(id).Text;

    /// <summary>Replaces an input's value as a user would (select all, type).</summary>
    public void Type(string id, string text)
    {
        var input = Find(id);
        input.Clear();
        input.SendKeys(text);
    }

    /// <summary>Sets a value at once (for texts too long to type), raising the input event the page listens to.</summary>
    public void SetValue(string id, string value) =>
        Driver.ExecuteScript(
            "const e = document.getElementById(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true }));",
            id, value);

    /// <summary>Picks an option of a select by its value, with a click as a user would.</summary>
    public void Choose(string id, string value) => Find(id).FindElement(By.CssSelector($"option[value='{value}']")).Click();

    public Task UntilTextAsync(string id, Func<string, bool> condition, string what) =>
        Eventually.TrueAsync(() => condition(Text(id)), $"{what} (#{id} says: {SafeText(id)})", TimeSpan.FromSeconds(60));

    /// <summary>The text of each row of a table body, cells joined by " | ".</summary>
    public IReadOnlyList<string> Rows(string tbodyId) =>
        Find(tbodyId).FindElements(By.TagName("tr"))
            .Select(row => string.Join(" | ", row.FindElements(By.TagName("td")).Select(cell => cell.Text)))
            .ToList();

    private string SafeText(string id)
    {
        try
        {
            return Text(id);
        }
        catch (WebDriverException e)
        {
            return e.Message;
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile as it exits; it is a temporary directory.
        }
    }
}
