<#--
  login-sms.ftl: the SMS code step of the browser flow.

  Two authenticators render it, so everything beyond Keycloak's own model is optional:
  - ours (bridge/keycloak) sets maskedPhone, resendCooldownSeconds, resendsRemaining,
    attemptsRemaining and codeLength, and reports code errors on the field "code";
  - QriarLabs' api-sms-authenticator sets only realm and reports errors globally (setError),
    which the layout shows as an alert; it has no resend, so no resend button appears for it.

  No inline script: resources/js/sms-resend.js ticks the countdown. Without JavaScript the resend
  button stays disabled with its server-rendered "Resend code in N s".
-->
<#import "template.ftl" as layout>
<#-- A script authenticator may hand numbers over as strings; compare them as numbers either way. -->
<#function num value><#return value?is_number?then(value, value?number)></#function>
<#assign codeError = messagesPerField.existsError('code')>
<#assign anyError = codeError || (message?has_content && message.type = 'error')>
<#assign showAttempts = anyError && attemptsRemaining??>
<@layout.registrationLayout displayMessage=!codeError; section>
    <#if section = "header">
        ${msg("smsAuthTitle")}
    <#elseif section = "form">
        <#-- Under another login theme (keycloak.v2), the theme's stylesheets leave ours out: link it here.
             The provider jar serves it, and the resend script, from theme-resources/resources/. -->
        <#if !(properties.styles!'')?contains('sms-mfa.css')>
            <link rel="stylesheet" href="${url.resourcesPath}/css/sms-mfa.css">
        </#if>
        <form id="kc-sms-code-login-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
            <p id="kc-sms-instruction" class="${properties.kcSmsPhoneClass!'sms-mfa-phone'}">
                <#if maskedPhone?has_content>
                    ${msg("smsAuthInstructionPhone", maskedPhone)}
                <#else>
                    ${msg("smsAuthInstruction")}
                </#if>
            </p>

            <div class="${properties.kcFormGroupClass!}">
                <div class="${properties.kcFormGroupLabelClass!}">
                    <label for="code" class="${properties.kcLabelClass!}">
                        <span class="${properties.kcFormLabelTextClass!}">${msg("smsAuthLabel")}</span>
                    </label>
                </div>
                <span class="${properties.kcInputClass!}<#if codeError> ${properties.kcError!}</#if>">
                    <input id="code" name="code" type="text" value="" class="${properties.kcSmsCodeInputClass!'sms-mfa-code'}"
                           inputmode="numeric" pattern="[0-9]*" autocomplete="one-time-code"
                           <#if codeLength??>maxlength="${num(codeLength)?c}"</#if>
                           required autofocus spellcheck="false"
                           aria-describedby="kc-sms-instruction<#if codeError || showAttempts> input-error-code</#if>"
                           <#if codeError>aria-invalid="true"</#if>/>
                </span>
                <#-- Always present, so that assistive technology is already watching it when text appears. -->
                <div id="input-error-container-code" class="${properties.kcFormHelperTextClass!}" aria-live="polite">
                    <#if codeError || showAttempts>
                        <div id="input-error-code" class="${properties.kcInputHelperTextClass!}">
                            <#if codeError>
                                <div class="${properties.kcInputHelperTextItemClass!} ${properties.kcError!}">
                                    <span class="${properties.kcInputErrorMessageClass!}">${kcSanitize(messagesPerField.get('code'))?no_esc}</span>
                                </div>
                            </#if>
                            <#if showAttempts>
                                <div class="${properties.kcInputHelperTextItemClass!} ${properties.kcSmsAttemptsClass!'sms-mfa-attempts'}">
                                    <span class="${properties.kcInputHelperTextItemTextClass!}">
                                        <#if num(attemptsRemaining) == 1>${msg("smsAuthAttemptsLeftOne")}<#else>${msg("smsAuthAttemptsLeft", num(attemptsRemaining)?c)}</#if>
                                    </span>
                                </div>
                            </#if>
                        </div>
                    </#if>
                </div>
            </div>

            <div class="${properties.kcFormGroupClass!}">
                <div class="${properties.kcFormActionGroupClass!}">
                    <button id="kc-login" name="login" type="submit"
                            class="${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!}">${msg("smsAuthSubmit")}</button>
                    <#if resendCooldownSeconds??>
                        <#if resendsRemaining?? && num(resendsRemaining) lte 0>
                            <p id="kc-sms-resend-exhausted" class="${properties.kcSmsResendClass!'sms-mfa-resend'}">${msg("smsAuthResendExhausted")}</p>
                        <#else>
                            <#assign waiting = num(resendCooldownSeconds) gt 0>
                            <#-- formnovalidate: asking for a new code must not require typing the old one. -->
                            <button id="kc-sms-resend" name="resend" value="true" type="submit" formnovalidate
                                    class="${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!} ${properties.kcSmsResendClass!'sms-mfa-resend'}"
                                    <#if waiting>disabled
                                    data-cooldown-seconds="${num(resendCooldownSeconds)?ceiling?c}"
                                    data-label-wait="${msg('smsAuthResendIn', '{0}')}"
                                    data-label-ready="${msg('smsAuthResend')}"
                                    data-label-done="${msg('smsAuthResendReady')}"</#if>><#if waiting>${msg("smsAuthResendIn", num(resendCooldownSeconds)?ceiling?c)}<#else>${msg("smsAuthResend")}</#if></button>
                            <#if waiting>
                                <noscript><p class="sms-mfa-resend-hint">${msg("smsAuthResendNoScript", num(resendCooldownSeconds)?ceiling?c)}</p></noscript>
                                <p id="kc-sms-resend-status" class="sms-mfa-sr-only" aria-live="polite"></p>
                                <script src="${url.resourcesPath}/js/sms-resend.js" defer></script>
                            </#if>
                        </#if>
                    </#if>
                </div>
            </div>
        </form>
    </#if>
</@layout.registrationLayout>
