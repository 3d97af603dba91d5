using System.Net;
using SiteBackup.Engine.Errors;
using SiteBackup.Engine.Stores;
using SiteBackup.Engine.Stores.AzureBlob;

namespace SiteBackup.Engine.Tests.Stores;

/// <summary>How Azure Blob store strings are read: the two forms, the location users see (never a SAS), and refusals
/// that do not echo what they refuse.</summary>
public class AzureBlobStoreNameTests
{
    private const string Sas = "sv=2024-08-04&sr=c&sp=racwdl&se=2030-01-01T00%3A00%3A00Z&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";

    [Theory]
    [InlineData("azblob://Nightly/runs/shop/", "nightly", "runs/shop/", "azblob://nightly/runs/shop")]
    [InlineData("https://contoso.blob.core.windows.net/nightly", "nightly", "", "https://contoso.blob.core.windows.net/nightly")]
    [InlineData("https://contoso.blob.core.windows.net/nightly/runs/shop?" + Sas, "nightly", "runs/shop/", "https://contoso.blob.core.windows.net/nightly/runs/shop")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/nightly/shop?" + Sas, "nightly", "shop/", "http://127.0.0.1:10000/devstoreaccount1/nightly/shop")]
    public void A_store_string_gives_its_container_prefix_and_a_location_without_secrets(string store, string container, string prefix, string location)
    {
        var name = AzureBlobStoreKind.Parse(store);
        Assert.Equal(container, name.Container);
        Assert.Equal(prefix, name.Prefix);
        Assert.Equal(location, name.Location);
        Assert.DoesNotContain("sig", name.Location, StringComparison.OrdinalIgnoreCase);
        Assert.True(StoreKinds.IsLocal(store) is false);
    }

    [Theory]
    [InlineData("http://localhost:8080/devstoreaccount1/c01/x", "devstoreaccount1", "c01", "x/")]
    [InlineData("http://[::1]:8080/devstoreaccount1/c01", "devstoreaccount1", "c01", "")]
    [InlineData("http://devstoreaccount1.blob.localhost:10000/backups/shop", "devstoreaccount1", "backups", "shop/")]
    [InlineData("https://contoso.privatelink.blob.core.windows.net/c01", "contoso", "c01", "")]
    [InlineData("https://backups.contoso.example/c01/nightly", null, "c01", "nightly/")]
    [InlineData("https://contoso.blob.core.windows.net/c01/a%20b", "contoso", "c01", "a b/")]
    public void Path_style_is_for_ip_addresses_and_localhost_and_host_style_for_every_other_host(string store, string? account, string container, string prefix)
    {
        var name = AzureBlobStoreKind.Parse(store);
        Assert.Equal(account, name.Account);
        Assert.Equal(container, name.Container);
        Assert.Equal(prefix, name.Prefix);
    }

    [Theory]
    [InlineData("https://backups.contoso.example/c01", "not an Azure Storage endpoint")]
    [InlineData("https://contoso.blob.core.windows.net.attacker.example/c01", "not an Azure Storage endpoint")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/c01", "Entra ID tokens go only over https")]
    public void No_entra_id_token_is_sent_to_a_host_that_is_not_azure_storage_or_over_http(string store, string why)
    {
        int asked = 0;
        var e = Assert.Throws<BackupException>(() => StoreKinds.Open(store, mustExist: false, new StoreAccess { SessionToken = _ => { asked++; return null; } }));
        Assert.Equal(BackupError.AuthenticationFailed, e.Error);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, asked);
    }

    [Fact]
    public void A_key_for_a_custom_domain_takes_the_account_from_the_user_name_and_tab_completion_never_signs_in()
    {
        var opened = StoreKinds.Open("https://backups.contoso.example/c01", mustExist: false, new NetworkCredential("contoso", Convert.ToBase64String(new byte[64])));
        Assert.Equal("https://backups.contoso.example/c01", opened.Location);
        var e = Assert.Throws<BackupException>(() => StoreKinds.Open("https://contoso.blob.core.windows.net/c01", mustExist: false, new StoreAccess { SignInWithEntraId = false }));
        Assert.Equal(BackupError.AuthenticationFailed, e.Error);
    }

    [Fact]
    public void A_sas_given_twice_or_a_connection_string_for_another_account_is_refused()
    {
        var twice = Assert.Throws<BackupException>(() => StoreKinds.Open("https://contoso.blob.core.windows.net/c01?" + Sas, mustExist: false, new NetworkCredential("", "?" + Sas)));
        Assert.Equal(BackupError.InvalidArgument, twice.Error);
        string other = "DefaultEndpointsProtocol=https;AccountName=fabrikam;AccountKey=" + Convert.ToBase64String(new byte[64]) + ";EndpointSuffix=core.windows.net";
        var elsewhere = Assert.Throws<BackupException>(() => StoreKinds.Open("https://contoso.blob.core.windows.net/c01", mustExist: false, new NetworkCredential("", other)));
        Assert.Equal(BackupError.InvalidArgument, elsewhere.Error);
        Assert.Contains("fabrikam", elsewhere.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", elsewhere.Message, StringComparison.Ordinal);
        string same = other.Replace("fabrikam", "contoso", StringComparison.Ordinal);
        Assert.Equal("https://contoso.blob.core.windows.net/c01", StoreKinds.Open("https://contoso.blob.core.windows.net/c01", mustExist: false, new NetworkCredential("", same)).Location);
    }

    [Fact]
    public void Records_that_carry_secrets_show_none()
    {
        Assert.DoesNotContain("sig=", AzureBlobStoreKind.Parse("https://contoso.blob.core.windows.net/c01?" + Sas).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ0", new SessionToken("eyJ0.secret.token", DateTimeOffset.UtcNow, "this session's Az sign-in (a)").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_account_of_a_url_is_its_host_or_for_ip_style_the_first_segment()
    {
        Assert.Equal("contoso", AzureBlobStoreKind.Parse("https://contoso.blob.core.windows.net/c01").Account);
        Assert.Equal("devstoreaccount1", AzureBlobStoreKind.Parse("http://127.0.0.1:10000/devstoreaccount1/c01").Account);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", AzureBlobStoreKind.Parse("http://127.0.0.1:10000/devstoreaccount1/c01").Service!.ToString().TrimEnd('/'));
    }

    [Theory]
    [InlineData("https://contoso.blob.core.windows.net/Bad_Name?" + Sas)]
    [InlineData("https://contoso.blob.core.windows.net/?" + Sas)]
    [InlineData("https://user:c2VjcmV0@contoso.blob.core.windows.net/nightly")]
    public void A_url_that_names_no_container_is_refused_without_repeating_its_secret(string store)
    {
        var e = Assert.Throws<BackupException>(() => StoreKinds.Open(store, mustExist: false));
        Assert.Equal(BackupError.InvalidArgument, e.Error);
        Assert.DoesNotContain("c2VjcmV0", e.Message + e.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sas_token_or_key_without_an_account_is_refused_with_what_to_give()
    {
        var e = Assert.Throws<BackupException>(() => StoreKinds.Open("azblob://nightly", mustExist: false, new NetworkCredential("", "?" + Sas)));
        Assert.Equal(BackupError.AuthenticationFailed, e.Error);
        Assert.Contains("user name", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", e.Message + e.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_sign_in_is_asked_only_when_no_key_or_sas_is_given()
    {
        int asked = 0;
        var access = new StoreAccess { SessionToken = _ => { asked++; return null; } };
        StoreKinds.Open("https://contoso.blob.core.windows.net/nightly?" + Sas, mustExist: false, access);
        StoreKinds.Open("https://contoso.blob.core.windows.net/nightly", mustExist: false,
            access with { Credential = new NetworkCredential("contoso", Convert.ToBase64String(new byte[64])) });
        Assert.Equal(0, asked);
        StoreKinds.Open("https://contoso.blob.core.windows.net/nightly", mustExist: false, access);
        Assert.Equal(1, asked);
    }
}
